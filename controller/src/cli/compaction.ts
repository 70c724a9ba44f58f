// The old generation compacted once in a while: V8 compacts only the pages it judges worth it, and
// under steady call traffic the pages ended calls leave half empty stay committed.
import { constants as perfConstants, PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';
import { named, tuneHeap } from './heap';

/** Whether the operator chose how full GCs compact (`--compact-on-every-full-gc`, `--no-compact`...). */
export function compactsOwnWay(execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  return named(execArgv, nodeOptions, /^--(no[-_]?)?compact([-_]on[-_]every[-_]full[-_]gc)?(=|$)/);
}

/** How often one full GC compacts the old generation: see compactPeriodically. */
export const COMPACT_EVERY_MS = 10_000;

/**
 * The next full GC compacts the old generation, then full GCs go back to V8's own choice. Soak
 * (1,000 live calls, 100 calls/s): without it the old generation's pages fill with the holes
 * ended calls leave (52 MB committed after 2 minutes, 66 MB after 5, for ~45 MB in use); compacting
 * at every full GC ended that but took the event-loop delay p99 from 13 to 39 ms.
 */
export class CompactionTrigger {
  private isArmed = false;
  private readonly obs = new PerformanceObserver((list) => {
    if (!this.isArmed) return;
    const major = list
      .getEntries()
      .some(
        (e) =>
          (e as unknown as { detail?: { kind?: number } }).detail?.kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR,
      );
    if (!major) return;
    // V8 reads the flag as a full GC starts: off again before the next one. (A GC whose marking
    // began before the flag was set may not compact: that period's turn is lost, not repeated.)
    this.disarm();
  });

  get armed(): boolean {
    return this.isArmed;
  }

  /** Watches GCs only while armed: the scavenges between turns cost nothing. */
  arm(): void {
    if (this.isArmed) return;
    v8.setFlagsFromString('--compact-on-every-full-gc');
    this.isArmed = true;
    this.obs.observe({ entryTypes: ['gc'] });
  }

  stop(): void {
    if (this.isArmed) this.disarm();
  }

  private disarm(): void {
    this.obs.disconnect();
    v8.setFlagsFromString('--no-compact-on-every-full-gc');
    this.isArmed = false;
  }
}

/**
 * Resident old-space memory holding nothing (`physical_space_size - space_used_size`) that makes
 * a compacting GC worth its pause. A compacting full GC in a burst of calls delays the gate: on
 * the real Asterisk, 20 calls at once read p99 1.35-1.58x the floor with every 10 s armed, against
 * 0.90-0.93x without, while that controller's old space held under 1.5 MB of holes (docs/performance.md).
 */
export const COMPACT_WHEN_FREE_BYTES = 4 * 1024 * 1024;

/** The old space's holes, from v8.getHeapSpaceStatistics(). */
export function oldSpaceFree(spaces: readonly v8.HeapSpaceInfo[] = v8.getHeapSpaceStatistics()): number {
  const old = spaces.find((s) => s.space_name === 'old_space');
  return old ? Math.max(0, old.physical_space_size - old.space_used_size) : 0;
}

/**
 * Every `everyMs`, arms a CompactionTrigger when the old space has COMPACT_WHEN_FREE_BYTES of holes
 * (`free` reads them); returns the function that stops it.
 */
export function compactPeriodically(everyMs = COMPACT_EVERY_MS, free: () => number = oldSpaceFree): () => void {
  const trigger = new CompactionTrigger();
  const timer = setInterval(() => {
    if (free() >= COMPACT_WHEN_FREE_BYTES) trigger.arm();
  }, everyMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    trigger.stop();
  };
}

/** What `callrec start` tunes in its own process: heap growth, and compaction unless the operator chose; returns its stop. */
export function tuneProcess(execArgv: readonly string[], nodeOptions: string | undefined): () => void {
  tuneHeap(execArgv, nodeOptions);
  return compactsOwnWay(execArgv, nodeOptions) ? () => undefined : compactPeriodically();
}
