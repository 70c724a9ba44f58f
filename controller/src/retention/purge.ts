// The one purge path, shared by the nightly run, early deletion and month-wide deletion:
// claim (row -> purging, hold re-checked) -> delete the file -> tombstone (row -> purged + event).
// A crash between any two steps leaves rows in `purging`, which the next run finishes.
import { purgeBytesFreed, purgedRecordings, purgeErrors } from '../metrics';
import type { Knex } from 'knex';
import type { Claim, LockedQuery, PurgeCandidate, Tombstone } from '../store/retention-repo';
import type { RunTrigger } from '../store/retention-runs-repo';
import type { Store } from '../store';
import type { Logger } from '../util/logger';
import type { RecordingPublisher } from '../webhooks/publisher';
import { filePool } from './file-pool';

export interface PurgeHooks {
  /** Called after the files of a batch are gone and before the rows say so (tests crash here). */
  afterDelete?(ids: readonly number[]): void | Promise<void>;
}

export interface BatchCounts {
  purged: number;
  bytesFreed: number;
  missingFiles: number;
  /** Lost to a hold placed (or another writer) between reading and claiming. */
  lost: number;
  errors: Array<{ id: number; detail: string }>;
  /** Time the batch spent on the volume (locate, unlink) rather than in the database. */
  filesMs?: number;
}

export interface PurgeOptions {
  dryRun: boolean;
  /** The metrics' label: the run's trigger, or a user's deletion. */
  trigger: RunTrigger | 'early-delete';
  eventType: 'purged' | 'deleted';
  /** Claim only rows still expired at this instant (the run); null for user deletions. */
  expiredAsOf: Date | null;
  /** The rows are already `purging` (left by an interrupted purge): skip the claim. */
  resumed?: boolean;
  hooks?: PurgeHooks;
  /** Called with the ids just tombstoned (not in a dry run): the recording.purged webhook. */
  onPurged?: (ids: number[]) => Promise<void>;
}

export const emptyCounts = (): BatchCounts => ({ purged: 0, bytesFreed: 0, missingFiles: 0, lost: 0, errors: [] });

/** Locates each row's file (real paths resolved once for the pass); a refused row is an error. */
async function locateAll(
  root: string,
  rows: readonly PurgeCandidate[],
  counts: BatchCounts,
): Promise<Array<{ row: PurgeCandidate; bytes: number | null }>> {
  const located = await filePool.locate(
    root,
    rows.map((r) => r.filePath),
  );
  return rows.flatMap((row, i) => {
    const where = located[i];
    if (where?.ok) return [{ row, bytes: where.bytes }];
    counts.errors.push({ id: row.id, detail: where?.detail ?? 'not located' });
    return [];
  });
}

/**
 * Deletes each row's file, located again first (a new cache: the directory may have changed
 * since): the tombstone of each file gone, null where one could not go (an error counted).
 */
async function removeAll(
  root: string,
  rows: readonly PurgeCandidate[],
  dryRun: boolean,
  counts: BatchCounts,
): Promise<Array<Tombstone | null>> {
  const outcomes = await filePool.remove(
    root,
    rows.map((r) => r.filePath),
    dryRun,
  );
  return rows.map((r, i) => {
    const o = outcomes[i];
    if (!o || o.kind === 'error') {
      counts.errors.push({ id: r.id, detail: o?.kind === 'error' ? o.detail : 'no outcome' });
      return null;
    }
    return {
      id: r.id,
      callId: r.callId,
      bytesFreed: o.kind === 'deleted' ? o.bytes : 0,
      missing: o.kind === 'missing',
    };
  });
}

/** The batch's purged rows into its counters. */
function tally(counts: BatchCounts, purged: readonly Tombstone[]): void {
  for (const st of purged) {
    counts.bytesFreed += st.bytesFreed;
    if (st.missing) counts.missingFiles += 1;
  }
}

function countMetrics(trigger: PurgeOptions['trigger'], counts: BatchCounts): void {
  purgedRecordings.inc({ trigger }, counts.purged);
  purgeBytesFreed.inc(counts.bytesFreed);
  purgeErrors.inc(counts.errors.length);
}

const isStone = (t: Tombstone | null): t is Tombstone => t !== null;

export async function purgeRows(
  store: Store,
  root: string,
  rows: readonly PurgeCandidate[],
  claim: Claim,
  opts: PurgeOptions,
): Promise<BatchCounts> {
  const counts = emptyCounts();
  // Refused before the claim: a row whose path leaves the root stays as it is, reported each run.
  let t0 = Date.now();
  const valid = (await locateAll(root, rows, counts)).map((l) => l.row);
  counts.filesMs = Date.now() - t0;
  let mine = valid;
  if (!opts.dryRun) {
    if (opts.resumed) {
      await store.retention.adopt(
        valid.map((r) => r.id),
        claim,
      );
    } else {
      const got = new Set(
        await store.retention.claim(
          valid.map((r) => r.id),
          claim,
          opts.expiredAsOf,
          new Map(valid.map((r) => [r.id, r.filePath])),
        ),
      );
      mine = valid.filter((r) => got.has(r.id));
      counts.lost = valid.length - mine.length;
    }
  }
  t0 = Date.now();
  // A file that could not go leaves its row `purging`, pointing at it: the next run retries it.
  const removed = await removeAll(root, mine, opts.dryRun, counts);
  counts.filesMs += Date.now() - t0;
  if (!opts.dryRun) await opts.hooks?.afterDelete?.(mine.map((r) => r.id));
  const stones = removed
    .map((st, i) => (st && opts.resumed ? { ...st, resumedFrom: mine[i]?.purgeRunId ?? null } : st))
    .filter(isStone);
  tally(counts, stones);
  counts.purged = opts.dryRun ? stones.length : await store.retention.tombstone(stones, claim, opts.eventType);
  if (!opts.dryRun) countMetrics(opts.trigger, counts);
  if (!opts.dryRun && stones.length > 0) await opts.onPurged?.(stones.map((st) => st.id));
  return counts;
}

/**
 * One batch of the nightly purge where the store can lock it (MySQL): the rows are locked, their
 * files checked, deleted and tombstoned in one transaction, each row written once
 * (store/purge-locked.ts). `saveIn` writes the run's counters, this batch's included, in the same
 * transaction. Returns the batch's counts and the rows read (the cursor's last row).
 */
export async function purgeLockedBatch(
  store: Store,
  root: string,
  q: LockedQuery,
  claim: Claim,
  opts: Pick<PurgeOptions, 'trigger' | 'hooks' | 'onPurged'> & {
    saveIn?: (trx: Knex.Transaction, batch: BatchCounts, read: number) => Promise<void>;
  },
): Promise<{ counts: BatchCounts; read: PurgeCandidate[] }> {
  let counts = emptyCounts();
  const timed = async <T>(fn: () => Promise<T>): Promise<T> => {
    const t0 = Date.now();
    try {
      return await fn();
    } finally {
      counts.filesMs = (counts.filesMs ?? 0) + Date.now() - t0;
    }
  };
  const batch = await store.retention.purgeLocked(q, claim, {
    check: (rows) =>
      timed(() => {
        counts = { ...emptyCounts(), filesMs: counts.filesMs }; // a deadlock's retry starts here
        return locateAll(root, rows, counts);
      }),
    remove: async (rows) => {
      const removed = await timed(() => removeAll(root, rows, false, counts));
      await opts.hooks?.afterDelete?.(rows.map((r) => r.id));
      return removed;
    },
    beforeCommit: async (trx, purged, read) => {
      counts.purged = purged.length;
      tally(counts, purged);
      await opts.saveIn?.(trx, counts, read);
    },
  });
  countMetrics(opts.trigger, counts);
  if (batch.purged.length > 0) await opts.onPurged?.(batch.purged.map((st) => st.id));
  return { counts, read: batch.read };
}

export function addCounts(into: BatchCounts, b: BatchCounts): void {
  into.purged += b.purged;
  into.bytesFreed += b.bytesFreed;
  into.missingFiles += b.missingFiles;
  into.lost += b.lost;
  into.errors.push(...b.errors);
}

/** A failed publish is logged, never fails the purge: the tombstone is the record, resync re-sends. */
export function purgedPublisher(deps: {
  publisher?: RecordingPublisher;
  logger: Logger;
}): ((ids: number[]) => Promise<void>) | undefined {
  const pub = deps.publisher;
  if (!pub) return undefined;
  return async (ids) => {
    for (const id of ids) {
      try {
        await pub.publish(id, 'recording.purged');
      } catch (e) {
        deps.logger.warn('recording.purged webhook not queued', { recordingId: id, error: (e as Error).message });
      }
    }
  };
}
