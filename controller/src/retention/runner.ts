// One retention run: take the lock, finish what an interrupted run left, purge expired unheld
// recordings in batches (oldest first), and record the counters in retention_runs.
import type { RecordingPublisher } from '../webhooks/publisher';
import { retainUntil, type TierLengths } from '../domain/tiers';
import type { Store } from '../store';
import { PURGEABLE, type Claim, type Cursor } from '../store/retention-repo';
import type { HeldLock, LockAttempt, RetentionRun, RunTrigger } from '../store/retention-runs-repo';
import type { Logger } from '../util/logger';
import { holderGone, lockOwner } from './lock-owner';
import { addCounts, emptyCounts, purgeRows, type BatchCounts, type PurgeHooks } from './purge';

export interface RetentionDeps {
  root: string;
  node: string;
  lengths: TierLengths;
  batchSize: number;
  logger: Logger;
  now?: () => Date;
  hooks?: PurgeHooks;
  /** Publishes recording.purged for each tombstoned recording (the controller's webhook worker). */
  publisher?: RecordingPublisher;
  /** SQLite lock lifetime, renewed every batch; a dead holder's lock lapses after it. */
  lockTtlMs?: number;
  /** An early deletion still `purging` after this long is taken to have died. */
  staleEarlyDeleteMs?: number;
  /**
   * Share of wall time the purge may keep the database busy; it rests the rest after each batch.
   * Measured (bench:retention): unpaced, concurrent insert p99 rose x3-x6; at 0.5 with batches of 100 it stays near x2
   * while the purge still runs well above 2,000 recordings/s.
   */
  dutyCycle?: number;
}

export interface RunOptions {
  trigger: RunTrigger; dryRun?: boolean; limit?: number;
  /** Stops between batches (controller shutdown); what is done so far is recorded. */
  signal?: AbortSignal;
  /** Called after each batch (a display: the CLI's progress bar or log lines); never changes the run. */
  onProgress?: (p: RunProgress) => void;
}
/** `total` is the expired, unheld recordings counted at the start (capped by the limit): an estimate. */
export interface RunProgress { done: number; total: number; purged: number; bytesFreed: number; errors: number }
export type RunOutcome = { kind: 'locked'; holder: string } | { kind: 'done'; run: RetentionRun };

interface Ctx {
  store: Store; deps: RetentionDeps; trigger: RunTrigger; dryRun: boolean; runId: number; claim: Claim; asOf: Date;
  counts: BatchCounts; scanned: number; left: number; renew: () => Promise<void>; signal?: AbortSignal;
  progress?: (p: RunProgress) => void; total?: number;
}

/** A failed publish is logged, never fails the purge: the tombstone is the record, resync re-sends. */
export function purgedPublisher(deps: { publisher?: RecordingPublisher; logger: Logger }): ((ids: number[]) => Promise<void>) | undefined {
  const pub = deps.publisher;
  if (!pub) return undefined;
  return async (ids) => {
    for (const id of ids) {
      try { await pub.publish(id, 'recording.purged'); } catch (e) { deps.logger.warn('recording.purged webhook not queued', { recordingId: id, error: (e as Error).message }); }
    }
  };
}

export async function runRetention(store: Store, deps: RetentionDeps, opts: RunOptions): Promise<RunOutcome> {
  const now = deps.now ?? (() => new Date());
  const dryRun = opts.dryRun ?? false;
  const begun = await begin(store, deps, opts);
  if (begun.kind === 'locked') return begun;
  const { lock, runId } = begun;
  const ctx: Ctx = {
    store, deps, trigger: opts.trigger, dryRun, runId, asOf: now(), counts: emptyCounts(), scanned: 0, left: opts.limit ?? Number.POSITIVE_INFINITY,
    claim: { runId, by: `retention-run:${runId}`, reason: 'retention expired' }, renew: () => lock.renew(), signal: opts.signal,
  };
  ctx.progress = opts.onProgress;
  deps.logger.info('retention run started', { runId, trigger: opts.trigger, dryRun, limit: opts.limit ?? null });
  try {
    if (!dryRun) await store.retentionRuns.failInterrupted(runId);
    if (ctx.progress) ctx.total = await expectedTotal(ctx);
    await resumeStuck(ctx, now);
    await assignMissingRetainUntil(ctx);
    for (const state of PURGEABLE) await purgeExpired(ctx, state);
    const held = await store.retention.countHeldExpired(ctx.asOf);
    const totals = { ...summary(ctx), skippedOnHold: held + ctx.counts.lost, scanned: ctx.scanned + held };
    const stopped = ctx.signal?.aborted ? ['stopped early: the controller is shutting down'] : [];
    const detail = [...stopped, ...ctx.counts.errors.slice(0, 20).map((e) => `#${e.id}: ${e.detail}`)].join('\n') || null;
    await store.retentionRuns.finish(runId, 'finished', totals, detail);
    deps.logger.info('retention run finished', { runId, dryRun, ...totals });
    for (const e of ctx.counts.errors) deps.logger.error('retention could not purge a recording', { runId, recordingId: e.id, detail: e.detail });
  } catch (e) {
    deps.logger.error('retention run failed', { runId, error: (e as Error).message, ...summary(ctx) });
    await store.retentionRuns.finish(runId, 'failed', summary(ctx), (e as Error).message)
      .catch((e2: Error) => deps.logger.warn('retention run failure not recorded', { runId, error: e2.message }));
    throw e;
  } finally {
    await releaseLock(lock, deps.logger);
  }
  try {
    return { kind: 'done', run: (await store.retentionRuns.get(runId)) as RetentionRun };
  } catch (e) {
    deps.logger.error('retention run finished, but its row could not be read back', { runId, error: (e as Error).message });
    throw e;
  }
}

/** The lock, then the run's row. Either failing is logged and recorded when possible, and leaves no lock. */
async function begin(store: Store, deps: RetentionDeps, opts: RunOptions): Promise<{ kind: 'locked'; holder: string } | { kind: 'begun'; lock: HeldLock; runId: number }> {
  let attempt: LockAttempt;
  try {
    attempt = await store.retentionRuns.tryLock(lockOwner(deps.node), deps.lockTtlMs ?? 10 * 60_000, holderGone);
  } catch (e) {
    return failedToStart(store, deps, opts, e);
  }
  if (!attempt.ok) {
    deps.logger.warn('retention run not started: another run holds the lock', { holder: attempt.holder, trigger: opts.trigger });
    return { kind: 'locked', holder: attempt.holder };
  }
  if (attempt.tookOverFrom) deps.logger.warn('retention lock taken over: its holder process is gone', { holder: attempt.tookOverFrom });
  try {
    return { kind: 'begun', lock: attempt.lock, runId: await store.retentionRuns.start(deps.node, opts.trigger, opts.dryRun ?? false) };
  } catch (e) {
    await releaseLock(attempt.lock, deps.logger);
    return failedToStart(store, deps, opts, e);
  }
}

/** Logged, kept as a failed run when the store still answers, and rethrown: the caller reports the cause. */
async function failedToStart(store: Store, deps: RetentionDeps, opts: RunOptions, e: unknown): Promise<never> {
  const error = (e as Error).message;
  deps.logger.error('retention run failed to start', { trigger: opts.trigger, error });
  await store.retentionRuns.recordFailedStart(deps.node, opts.trigger, opts.dryRun ?? false, `failed to start: ${error}`)
    .catch((e2: Error) => deps.logger.warn('retention run failure not recorded', { error: e2.message }));
  throw e;
}

/** Never throws: a release that fails (the database went away) must not hide why the run ended. */
async function releaseLock(lock: HeldLock, logger: Logger): Promise<void> {
  try {
    await lock.release();
  } catch (e) {
    logger.warn('retention lock not released (the database connection is gone, and with it the lock)', { error: (e as Error).message });
  }
}

function summary(ctx: Ctx) {
  const c = ctx.counts;
  return { scanned: ctx.scanned, purged: c.purged, bytesFreed: c.bytesFreed, skippedOnHold: c.lost, missingFiles: c.missingFiles, errors: c.errors.length };
}

/** Rows an interrupted purge left in `purging`: their claim stands, finish them (file gone or not). */
async function resumeStuck(ctx: Ctx, now: () => Date): Promise<void> {
  const staleBefore = new Date(now().getTime() - (ctx.deps.staleEarlyDeleteMs ?? 5 * 60_000));
  let afterId = 0;
  for (;;) {
    const rows = await ctx.store.retention.stuckPurging(ctx.runId, staleBefore, ctx.deps.batchSize, afterId);
    if (rows.length === 0) return;
    afterId = rows[rows.length - 1]?.id ?? afterId;
    ctx.deps.logger.info('retention finishing an interrupted purge', { runId: ctx.runId, recordings: rows.length });
    ctx.scanned += rows.length;
    addCounts(ctx.counts, await purgeRows(ctx.store, ctx.deps.root, rows, ctx.claim, { dryRun: ctx.dryRun, trigger: ctx.trigger, eventType: 'purged', expiredAsOf: null, resumed: true, hooks: ctx.deps.hooks, onPurged: purgedPublisher(ctx.deps) }));
    await ctx.store.retentionRuns.progress(ctx.runId, summary(ctx));
  }
}

/**
 * A finished recording without retain_until would be kept forever by accident: give it one from
 * its tier (a dry run only counts what that would make purgeable now).
 */
async function assignMissingRetainUntil(ctx: Ctx): Promise<void> {
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
      addCounts(ctx.counts, await purgeRows(ctx.store, ctx.deps.root, due, ctx.claim, { dryRun: true, trigger: ctx.trigger, eventType: 'purged', expiredAsOf: ctx.asOf }));
    }
  }
}

async function purgeExpired(ctx: Ctx, state: (typeof PURGEABLE)[number]): Promise<void> {
  let cursor: Cursor | null = null;
  while (ctx.left > 0 && !ctx.signal?.aborted) {
    const rows = await ctx.store.retention.expired(state, ctx.asOf, Math.min(ctx.deps.batchSize, ctx.left), cursor);
    if (rows.length === 0) return;
    const last = rows[rows.length - 1];
    cursor = last?.retainUntil ? { retainUntil: last.retainUntil, id: last.id } : null;
    ctx.scanned += rows.length;
    ctx.left -= rows.length;
    const t0 = Date.now();
    const b = await purgeRows(ctx.store, ctx.deps.root, rows, ctx.claim, { dryRun: ctx.dryRun, trigger: ctx.trigger, eventType: 'purged', expiredAsOf: ctx.asOf, hooks: ctx.deps.hooks, onPurged: purgedPublisher(ctx.deps) });
    addCounts(ctx.counts, b);
    await ctx.store.retentionRuns.progress(ctx.runId, summary(ctx));
    await ctx.renew();
    reportProgress(ctx);
    const duty = ctx.deps.dutyCycle ?? 0.5;
    if (!ctx.dryRun && duty < 1) await new Promise((r) => setTimeout(r, (Date.now() - t0) * (1 / duty - 1)));
    ctx.deps.logger.debug('retention batch', { runId: ctx.runId, state, purged: b.purged, missing: b.missingFiles, errors: b.errors.length });
    if (!cursor) return;
  }
}

/** Only counted when someone watches: one aggregate query over the expired rows. */
async function expectedTotal(ctx: Ctx): Promise<number> {
  const overdue = (await ctx.store.retentionRuns.expiring(ctx.asOf, 0)).reduce((n, e) => n + e.count, 0);
  return Math.min(overdue, ctx.left);
}

function reportProgress(ctx: Ctx): void {
  const c = ctx.counts;
  ctx.progress?.({ done: ctx.scanned, total: Math.max(ctx.total ?? 0, ctx.scanned), purged: c.purged, bytesFreed: c.bytesFreed, errors: c.errors.length });
}
