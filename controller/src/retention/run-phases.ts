// The phases of one run over its shared counters: finish purges an interrupted run left, give
// finished recordings a missing retain_until, purge the expired in paced batches, report progress.
import { retainUntil } from '../domain/tiers';
import type { Store } from '../store';
import type { Claim, Cursor, PURGEABLE, PurgeCandidate } from '../store/retention-repo';
import type { RunTrigger } from '../store/retention-runs-repo';
import { addCounts, purgedPublisher, purgeLockedBatch, purgeRows, type BatchCounts } from './purge';
import type { RetentionDeps, RunProgress } from './run-types';

/** One run's state, shared by its phases: its claim, its cursor budget, the counters so far. */
export interface Ctx {
  store: Store;
  deps: RetentionDeps;
  trigger: RunTrigger;
  dryRun: boolean;
  runId: number;
  claim: Claim;
  asOf: Date;
  counts: BatchCounts;
  scanned: number;
  left: number;
  renew: () => Promise<void>;
  signal?: AbortSignal;
  progress?: (p: RunProgress) => void;
  total?: number;
  /** When the run's row last took the counters (Date.now()): see RetentionDeps.progressEveryMs. */
  savedAt?: number;
}

/** The counters as retention_runs records them. */
export function summary({ scanned, counts }: Pick<Ctx, 'scanned' | 'counts'>) {
  const { purged, bytesFreed, missingFiles } = counts;
  return { scanned, purged, bytesFreed, skippedOnHold: counts.lost, missingFiles, errors: counts.errors.length };
}

/** Rows an interrupted purge left in `purging`: their claim stands, finish them (file gone or not). */
export async function resumeStuck(ctx: Ctx, now: () => Date): Promise<void> {
  if (!ctx.dryRun) {
    // A locked batch that died after opening its tombstones: back to purging, finished below.
    const dead = await ctx.store.retentionRuns.unfinished(ctx.runId);
    for (const id of await ctx.store.retention.reopenInterrupted(ctx.asOf, dead))
      ctx.counts.errors.push({
        id,
        detail: 'an interrupted purge had begun on it, and it is now held or kept longer: its file may be gone',
      });
  }
  const staleBefore = new Date(now().getTime() - (ctx.deps.staleEarlyDeleteMs ?? 5 * 60_000));
  let afterId = 0;
  for (;;) {
    const rows = await ctx.store.retention.stuckPurging(ctx.runId, staleBefore, ctx.deps.batchSize, afterId);
    if (rows.length === 0) return;
    afterId = rows[rows.length - 1]?.id ?? afterId;
    ctx.deps.logger.info('retention finishing an interrupted purge', { runId: ctx.runId, recordings: rows.length });
    ctx.scanned += rows.length;
    addCounts(
      ctx.counts,
      await purgeRows(ctx.store, ctx.deps.root, rows, ctx.claim, {
        dryRun: ctx.dryRun,
        trigger: ctx.trigger,
        eventType: 'purged',
        expiredAsOf: null,
        resumed: true,
        hooks: ctx.deps.hooks,
        onPurged: purgedPublisher(ctx.deps),
      }),
    );
    await ctx.store.retentionRuns.progress(ctx.runId, summary(ctx));
  }
}

/**
 * A finished recording without retain_until would be kept forever by accident: give it one from
 * its tier (a dry run only counts what that would make purgeable now).
 */
export async function assignMissingRetainUntil(ctx: Ctx): Promise<void> {
  let afterId = 0;
  for (;;) {
    const rows = await ctx.store.retention.withoutRetainUntil(ctx.deps.batchSize, afterId);
    if (rows.length === 0) return;
    afterId = rows[rows.length - 1]?.id ?? afterId;
    const due = [];
    for (const r of rows) {
      const until = retainUntil(r.endedAt, r.tier, ctx.deps.lengths);
      if (!ctx.dryRun) await ctx.store.retention.setRetainUntil(r.id, until);
      else if (until <= ctx.asOf && r.onHold) ctx.counts.lost += 1;
      else if (until <= ctx.asOf) due.push(r);
    }
    if (ctx.dryRun && due.length > 0) {
      ctx.scanned += due.length;
      addCounts(
        ctx.counts,
        await purgeRows(ctx.store, ctx.deps.root, due, ctx.claim, {
          dryRun: true,
          trigger: ctx.trigger,
          eventType: 'purged',
          expiredAsOf: ctx.asOf,
        }),
      );
    }
  }
}

export async function purgeExpired(ctx: Ctx, state: (typeof PURGEABLE)[number]): Promise<void> {
  if (ctx.store.retention.locksRows && !ctx.dryRun) return purgeExpiredLocked(ctx, state);
  let cursor: Cursor | null = null;
  while (ctx.left > 0 && !ctx.signal?.aborted) {
    const t0 = Date.now();
    const rows = await ctx.store.retention.expired(state, ctx.asOf, Math.min(ctx.deps.batchSize, ctx.left), cursor);
    if (rows.length === 0) return;
    cursor = cursorAfter(rows);
    ctx.scanned += rows.length;
    ctx.left -= rows.length;
    const b = await purgeRows(ctx.store, ctx.deps.root, rows, ctx.claim, {
      dryRun: ctx.dryRun,
      trigger: ctx.trigger,
      eventType: 'purged',
      expiredAsOf: ctx.asOf,
      hooks: ctx.deps.hooks,
      onPurged: purgedPublisher(ctx.deps),
    });
    await afterBatch(ctx, state, b, t0);
    if (!cursor) return;
  }
}

/** The same on a store that locks its batch: each row read, deleted and tombstoned in one write. */
async function purgeExpiredLocked(ctx: Ctx, state: (typeof PURGEABLE)[number]): Promise<void> {
  let cursor: Cursor | null = null;
  while (ctx.left > 0 && !ctx.signal?.aborted) {
    const t0 = Date.now();
    let saved: number | undefined;
    const { counts: b, read } = await purgeLockedBatch(
      ctx.store,
      ctx.deps.root,
      { state, asOf: ctx.asOf, limit: Math.min(ctx.deps.batchSize, ctx.left), after: cursor },
      ctx.claim,
      {
        trigger: ctx.trigger,
        hooks: ctx.deps.hooks,
        onPurged: purgedPublisher(ctx.deps),
        // The run's counters commit with the batch: exact whatever happens next.
        saveIn: async (trx, batch, n) => {
          if (Date.now() - (ctx.savedAt ?? 0) < (ctx.deps.progressEveryMs ?? 0)) return;
          const counts = { ...ctx.counts, errors: [...ctx.counts.errors] };
          addCounts(counts, batch);
          await ctx.store.retentionRuns.progress(ctx.runId, summary({ scanned: ctx.scanned + n, counts }), trx);
          saved = Date.now(); // taken once the batch commits
        },
      },
    );
    if (saved !== undefined) ctx.savedAt = saved;
    if (read.length === 0) return;
    cursor = cursorAfter(read);
    ctx.scanned += read.length;
    ctx.left -= read.length;
    await afterBatch(ctx, state, b, t0, false);
    if (!cursor) return;
  }
}

function cursorAfter(rows: readonly PurgeCandidate[]): Cursor | null {
  const last = rows[rows.length - 1];
  return last?.retainUntil ? { retainUntil: last.retainUntil, id: last.id } : null;
}

/** After each batch: the counters, the run's row, the lock, progress, and the rest it owes the database. */
async function afterBatch(ctx: Ctx, state: string, b: BatchCounts, t0: number, save = true): Promise<void> {
  addCounts(ctx.counts, b);
  // Every batch by default: a run that dies keeps exactly what it purged (one UPDATE, ~0.5 ms
  // of every 100 recordings in bench:retention; a larger progressEveryMs trades that exactness).
  if (save && Date.now() - (ctx.savedAt ?? 0) >= (ctx.deps.progressEveryMs ?? 0)) {
    ctx.savedAt = Date.now();
    await ctx.store.retentionRuns.progress(ctx.runId, summary(ctx));
  }
  await ctx.renew();
  reportProgress(ctx);
  const filesMs = b.filesMs ?? 0;
  const rest = restAfter(Date.now() - t0 - filesMs, filesMs, ctx.deps.dutyCycle ?? 0.5);
  if (!ctx.dryRun && rest > 0) await new Promise((r) => setTimeout(r, rest));
  ctx.deps.logger.debug('retention batch', {
    runId: ctx.runId,
    state,
    purged: b.purged,
    missing: b.missingFiles,
    errors: b.errors.length,
  });
}

/** A duty of 0 (or NaN) would rest for ever: setTimeout turns that into 1 ms, an unpaced purge. */
export function checkDuty(duty: number): void {
  if (!(duty > 0)) throw new RangeError(`the purge's duty cycle must be above 0 (got ${duty})`);
}

/**
 * The rest a batch owes the database at this duty: in proportion to its time there, less its
 * time on the volume, when it asked nothing of the database (its rows stay locked, other writers
 * go on). So a batch takes max(db / duty, db + files).
 */
export function restAfter(dbMs: number, filesMs: number, duty: number): number {
  checkDuty(duty);
  if (duty >= 1) return 0;
  return Math.max(0, Math.max(0, dbMs) * (1 / duty - 1) - filesMs);
}

/** Only counted when someone watches: one aggregate query over the expired rows. */
export async function expectedTotal(ctx: Ctx): Promise<number> {
  const overdue = (await ctx.store.retentionRuns.expiring(ctx.asOf, 0)).reduce((n, e) => n + e.count, 0);
  return Math.min(overdue, ctx.left);
}

function reportProgress(ctx: Ctx): void {
  const c = ctx.counts;
  ctx.progress?.({
    done: ctx.scanned,
    total: Math.max(ctx.total ?? 0, ctx.scanned),
    purged: c.purged,
    bytesFreed: c.bytesFreed,
    errors: c.errors.length,
  });
}
