// One retention run: take the lock, finish what an interrupted run left, purge expired unheld
// recordings in batches (oldest first), and record the counters in retention_runs.
import type { Store } from '../store';
import { PURGEABLE } from '../store/retention-repo';
import type { HeldLock, LockAttempt, RetentionRun } from '../store/retention-runs-repo';
import type { Logger } from '../util/logger';
import { holderGone, lockOwner } from './lock-owner';
import { emptyCounts } from './purge';
import {
  assignMissingRetainUntil,
  checkDuty,
  expectedTotal,
  purgeExpired,
  resumeStuck,
  summary,
  type Ctx,
} from './run-phases';
import type { RetentionDeps, RunOptions, RunOutcome } from './run-types';

export type { RetentionDeps, RunOptions, RunOutcome, RunProgress } from './run-types';

export async function runRetention(store: Store, deps: RetentionDeps, opts: RunOptions): Promise<RunOutcome> {
  const now = deps.now ?? (() => new Date());
  const dryRun = opts.dryRun ?? false;
  checkDuty(deps.dutyCycle ?? 0.5); // before the lock and any row
  const begun = await begin(store, deps, opts);
  if (begun.kind === 'locked') return begun;
  const { lock, runId } = begun;
  const ctx: Ctx = {
    store,
    deps,
    trigger: opts.trigger,
    dryRun,
    runId,
    asOf: now(),
    counts: emptyCounts(),
    scanned: 0,
    left: opts.limit ?? Number.POSITIVE_INFINITY,
    claim: { runId, by: `retention-run:${runId}`, reason: 'retention expired' },
    renew: () => lock.renew(),
    signal: opts.signal,
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
    const detail =
      [...stopped, ...ctx.counts.errors.slice(0, 20).map((e) => `#${e.id}: ${e.detail}`)].join('\n') || null;
    await store.retentionRuns.finish(runId, 'finished', totals, detail);
    deps.logger.info('retention run finished', { runId, dryRun, ...totals });
    for (const e of ctx.counts.errors)
      deps.logger.error('retention could not purge a recording', { runId, recordingId: e.id, detail: e.detail });
  } catch (e) {
    deps.logger.error('retention run failed', { runId, error: (e as Error).message, ...summary(ctx) });
    await store.retentionRuns
      .finish(runId, 'failed', summary(ctx), (e as Error).message)
      .catch((e2: Error) => deps.logger.warn('retention run failure not recorded', { runId, error: e2.message }));
    throw e;
  } finally {
    await releaseLock(lock, deps.logger);
  }
  try {
    return { kind: 'done', run: (await store.retentionRuns.get(runId)) as RetentionRun };
  } catch (e) {
    deps.logger.error('retention run finished, but its row could not be read back', {
      runId,
      error: (e as Error).message,
    });
    throw e;
  }
}

/** The lock, then the run's row. Either failing is logged and recorded when possible, and leaves no lock. */
async function begin(
  store: Store,
  deps: RetentionDeps,
  opts: RunOptions,
): Promise<{ kind: 'locked'; holder: string } | { kind: 'begun'; lock: HeldLock; runId: number }> {
  let attempt: LockAttempt;
  try {
    attempt = await store.retentionRuns.tryLock(lockOwner(deps.node), deps.lockTtlMs ?? 10 * 60_000, holderGone);
  } catch (e) {
    return failedToStart(store, deps, opts, e);
  }
  if (!attempt.ok) {
    deps.logger.warn('retention run not started: another run holds the lock', {
      holder: attempt.holder,
      trigger: opts.trigger,
    });
    return { kind: 'locked', holder: attempt.holder };
  }
  if (attempt.tookOverFrom)
    deps.logger.warn('retention lock taken over: its holder process is gone', { holder: attempt.tookOverFrom });
  try {
    return {
      kind: 'begun',
      lock: attempt.lock,
      runId: await store.retentionRuns.start(deps.node, opts.trigger, opts.dryRun ?? false),
    };
  } catch (e) {
    await releaseLock(attempt.lock, deps.logger);
    return failedToStart(store, deps, opts, e);
  }
}

/** Logged, kept as a failed run when the store still answers, and rethrown: the caller reports the cause. */
async function failedToStart(store: Store, deps: RetentionDeps, opts: RunOptions, e: unknown): Promise<never> {
  const error = (e as Error).message;
  deps.logger.error('retention run failed to start', { trigger: opts.trigger, error });
  await store.retentionRuns
    .recordFailedStart(deps.node, opts.trigger, opts.dryRun ?? false, `failed to start: ${error}`)
    .catch((e2: Error) => deps.logger.warn('retention run failure not recorded', { error: e2.message }));
  throw e;
}

/** Never throws: a release that fails (the database went away) must not hide why the run ended. */
async function releaseLock(lock: HeldLock, logger: Logger): Promise<void> {
  try {
    await lock.release();
  } catch (e) {
    logger.warn('retention lock not released (the database connection is gone, and with it the lock)', {
      error: (e as Error).message,
    });
  }
}
