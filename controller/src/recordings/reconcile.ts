// One reconciliation pass over the recordings root: every audio file gets a row (adopt-file.ts),
// and a completed row whose file has vanished is marked failed with the reason. Files still being
// written (changed within the quiet period, or held open) are left for the next pass.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { SettledState } from '../domain/records';
import type { TierLengths } from '../domain/tiers';
import type { PbxKind } from '../domain/vocabulary';
import type { Store } from '../store';
import type { Logger } from '../util/logger';
import type { RecordingPublisher } from '../webhooks/publisher';
import { adoptFile, AlreadyKnown, type AdoptedFile, type Classify } from './adopt-file';
import { openFiles, scanRecordings } from './scan';

export interface ReconcileMetrics {
  found(n: number): void;
  adopted(state: SettledState): void;
  vanished(n: number): void;
}

export interface ReconcileDeps {
  store: Store;
  /** The recordings root as callrec sees it; rows hold paths relative to it. */
  root: string;
  node: string;
  pbx: PbxKind;
  tiers: TierLengths;
  /** A file changed more recently than this may still be written. */
  quietMs: number;
  logger: Logger;
  classify?: Classify;
  publisher?: RecordingPublisher;
  metrics?: ReconcileMetrics;
  now?: () => Date;
  openFiles?: () => Promise<Set<string>>;
  /**
   * True while call writes wait in the local journal: their files have no row yet but will, so
   * the pass adopts nothing (the schedule comes back soon).
   */
  waiting?: () => boolean;
}

export interface ReconcileReport {
  scanned: number;
  known: number;
  adopted: AdoptedFile[];
  /** Left for the next pass: still being written. */
  busy: string[];
  /** When the next pass can take the busy files (the schedule comes back then, not a full interval later). */
  retryAt: Date | null;
  /** Links pointing outside the root (or nowhere): never read. */
  refused: string[];
  /** Completed rows whose file is gone, marked failed (listed, not marked, in a dry run). */
  vanished: number[];
  /** Set when vanished rows were found but not marked: the root looks unmounted. */
  vanishedHeld: string | null;
}

const HELD_OPEN_RETRY_MS = 15_000;
const VANISHED = 'file vanished from the recordings directory (found by reconcile)';

// One pass at a time per root in this process: two interleaved passes would both adopt a file.
const passes = new Map<string, Promise<unknown>>();

export function reconcileRecordings(d: ReconcileDeps, opts: { dryRun?: boolean } = {}): Promise<ReconcileReport> {
  const before = passes.get(d.root) ?? Promise.resolve();
  const pass = before.catch(() => undefined).then(() => onePass(d, opts));
  const tail = pass.catch(() => undefined);
  passes.set(d.root, tail);
  void tail.then(() => {
    if (passes.get(d.root) === tail) passes.delete(d.root);
  });
  return pass;
}

async function onePass(d: ReconcileDeps, opts: { dryRun?: boolean }): Promise<ReconcileReport> {
  const write = !opts.dryRun;
  const now = (d.now ?? (() => new Date()))();
  const scan = await scanRecordings(d.root);
  const known = await d.store.recordings.knownPaths(scan.files.map((f) => f.relPath));
  const unknown = scan.files.filter((f) => !known.has(f.relPath));
  const open = unknown.length > 0 ? await (d.openFiles ?? openFiles)() : new Set<string>();
  const report: ReconcileReport = {
    scanned: scan.files.length,
    known: known.size,
    adopted: [],
    busy: [],
    retryAt: null,
    refused: scan.refused,
    vanished: [],
    vanishedHeld: null,
  };
  for (const f of unknown) {
    if (d.waiting?.()) {
      report.busy.push(f.relPath);
      report.retryAt = new Date(now.getTime() + HELD_OPEN_RETRY_MS);
      continue;
    }
    const quietAt = open.has(f.absPath) ? now.getTime() + HELD_OPEN_RETRY_MS : f.mtime.getTime() + d.quietMs;
    if (quietAt > now.getTime()) {
      report.busy.push(f.relPath);
      if (report.retryAt === null || quietAt < report.retryAt.getTime()) report.retryAt = new Date(quietAt + 1000);
      continue;
    }
    try {
      report.adopted.push(await adoptOne(d, f, write));
    } catch (e) {
      if (e instanceof AlreadyKnown) continue;
      // One file's trouble (unreadable, say) leaves it to the next pass.
      d.logger.warn(`reconcile could not adopt a file: ${(e as Error).message}`, { file: f.relPath });
      report.busy.push(f.relPath);
    }
  }
  d.metrics?.found(report.adopted.length);
  await markVanished(d, report, write);
  if (scan.refused.length > 0)
    d.logger.warn('reconcile refused links leaving the recordings directory', { links: scan.refused.slice(0, 20) });
  return report;
}

async function adoptOne(d: ReconcileDeps, f: Parameters<typeof adoptFile>[1], write: boolean): Promise<AdoptedFile> {
  const a = await adoptFile(d, f, write);
  if (!write || a.recordingId === null) return a;
  d.logger.info(`recording adopted from disk: ${a.state}`, {
    file: a.relPath,
    recordingId: a.recordingId,
    durationMs: a.durationMs ?? undefined,
    problem: a.problem ?? undefined,
  });
  d.metrics?.adopted(a.state);
  await publish(d, a.recordingId, a.state);
  return a;
}

async function publish(d: ReconcileDeps, recordingId: number, state: SettledState): Promise<void> {
  try {
    await d.publisher?.publish(recordingId, state === 'completed' ? 'recording.completed' : 'recording.failed');
  } catch (x) {
    d.logger.error(`could not queue the recording.${state} webhook: ${(x as Error).message}`, { recordingId });
  }
}

const localPath = (root: string, p: string) => (path.isAbsolute(p) ? p : path.join(root, p));

async function markVanished(d: ReconcileDeps, report: ReconcileReport, write: boolean): Promise<void> {
  let checked = 0;
  for (let after = 0; ;) {
    const page = await d.store.recordings.completedAfter(after, 500);
    if (page.length === 0) break;
    for (const r of page) {
      checked++;
      const st = await fs.stat(localPath(d.root, r.filePath)).catch(() => null);
      if (!st?.isFile()) report.vanished.push(r.id);
    }
    after = page[page.length - 1]!.id;
  }
  if (report.vanished.length === 0) return;
  // An unmounted or wrong directory would "vanish" every recording: refuse to mark those.
  if (report.scanned === 0 || (report.vanished.length > 20 && report.vanished.length * 2 > checked)) {
    report.vanishedHeld = `${report.vanished.length} of ${checked} completed recordings have no file; not marking them failed: is ${d.root} the right directory, and mounted?`;
    d.logger.error(`reconcile: ${report.vanishedHeld}`);
    return;
  }
  if (!write) return;
  for (const id of report.vanished) {
    if (!(await d.store.recordings.transition(id, ['completed'], 'failed', { failureReason: VANISHED }))) continue;
    await d.store.events.append({
      callId: null,
      recordingId: id,
      type: 'file vanished',
      actor: 'system',
      detail: { reason: VANISHED, by: 'reconcile' },
    });
    d.logger.warn('recording failed: its file vanished', { recordingId: id });
    await publish(d, id, 'failed');
  }
  d.metrics?.vanished(report.vanished.length);
}

export function describeReconcile(r: ReconcileReport, dryRun: boolean): string[] {
  const verb = dryRun ? 'would adopt' : 'adopted';
  const lines = [
    `scanned ${r.scanned} audio files: ${r.known} known, ${verb} ${r.adopted.length}, ${r.busy.length} still being written (next pass)`,
  ];
  for (const a of r.adopted)
    lines.push(
      `  ${verb} ${a.relPath}: ${a.state}${a.problem ? ` (${a.problem})` : ''}, tier ${a.tier}${a.durationMs !== null ? `, ${(a.durationMs / 1000).toFixed(1)} s` : ''}`,
    );
  if (r.vanished.length > 0)
    lines.push(
      `${r.vanished.length} completed recordings have no file${r.vanishedHeld ? `: ${r.vanishedHeld}` : dryRun ? ' (would mark failed)' : ', marked failed'}`,
    );
  if (r.refused.length > 0)
    lines.push(
      `refused ${r.refused.length} links leaving the recordings directory: ${r.refused.slice(0, 5).join(', ')}`,
    );
  return lines;
}

/** The pass at start (after `firstMs`, so adoption of live calls goes first) and every `everyMs`. */
export function startReconcileSchedule(d: ReconcileDeps, firstMs: number, everyMs: number): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const pass = () => {
    running = reconcileRecordings(d)
      .then(
        (r) => (r.retryAt ? Math.max(1000, r.retryAt.getTime() - Date.now()) : null),
        (e: unknown) => {
          d.logger.error(`reconcile failed: ${(e as Error).message}`);
          return null;
        },
      )
      .then((soon) => {
        const next = soon !== null && (everyMs === 0 || soon < everyMs) ? soon : everyMs;
        if (!stopped && next > 0) timer = setTimeout(pass, next);
      });
  };
  timer = setTimeout(pass, firstMs);
  return {
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
