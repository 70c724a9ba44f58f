// The nightly purge's batch on MySQL, one transaction per batch, each recordings row written once:
// 1. lock the expired rows (hold and expiry re-checked by the locking read);
// 2. the caller checks their files (what is there, how big);
// 3. their tombstones, written whole on another connection: committed before any file goes, they
//    are the crash intent (a tombstone is open while its recording is not `purged`);
// 4. the caller deletes the files;
// 5. `purged` and the caller's run counters, then commit. The batch's audit event (one for up to
//    1,000 recordings, named by their tombstones: purge-events.ts) is written in step 3's place,
//    in this transaction, so it commits with the rows it names.
// A hold placed meanwhile waits on the row lock and then finds the row purged. A batch that fails
// after step 3 puts its rows in `purging`, where the next run finishes them; one killed outright
// leaves them `completed` with their tombstones, which the next run reopens by the dead run's id
// (RetentionRepo.reopenInterrupted).
import type { Knex } from 'knex';
import { retryOnDeadlock } from './deadlock-retry';
import {
  CANDIDATE_COLS,
  candidateFromRow,
  expiredRows,
  type Claim,
  type ExpiredBatch,
  type PurgeCandidate,
  type Tombstone,
} from './purge-candidates';
import { openBatchEvents, settleBatchEvents } from './purge-events';
import { backToPurging, markPurged, writeWholeTombstones } from './retention-tombstone';
import type { Row } from './rows';

export interface LockedFiles {
  /** The rows whose file may be deleted, with its size (null: already missing); the rest stay. */
  check(rows: readonly PurgeCandidate[]): Promise<Array<{ row: PurgeCandidate; bytes: number | null }>>;
  /** Deletes the files: a tombstone for each row whose file is gone, null where it could not go. */
  remove(rows: readonly PurgeCandidate[]): Promise<Array<Tombstone | null>>;
  /** Last writes of the batch's transaction (the run's counters): the rows purged, how many read. */
  beforeCommit?(trx: Knex.Transaction, purged: readonly Tombstone[], read: number): Promise<void>;
}

export type LockedQuery = ExpiredBatch;

export interface LockedBatch {
  /** The rows read, in order (the cursor is the last one); empty at the end. */
  read: PurgeCandidate[];
  /** The tombstones of the rows purged. */
  purged: Tombstone[];
}

interface BatchArgs {
  knex: Knex;
  now: () => Date;
  q: LockedQuery;
  claim: Claim;
  eventType: string;
  files: LockedFiles;
}

/** A deadlock (a bulk hold locks in id order, this read in retention order) retries the batch. */
export async function purgeLockedBatch(a: BatchArgs): Promise<LockedBatch> {
  // A batch that had written its tombstones left its rows `purging`: the retry reads past them.
  return retryOnDeadlock(() => lockedBatch(a));
}

async function lockedBatch({ knex, now, q, claim, eventType, files }: BatchArgs): Promise<LockedBatch> {
  let opened: number[] = [];
  try {
    // Read committed: the locking read takes the rows it returns, no gaps: inserts never wait on it.
    return await knex.transaction(
      async (trx) => {
        const raw = (await lockedRead(trx, q)) as Row[];
        const read = raw.map(candidateFromRow);
        const keyed = new Set(raw.filter((r) => r.wrapped_key !== null).map((r) => Number(r.id)));
        const checked = await files.check(read);
        if (checked.length === 0) {
          await files.beforeCommit?.(trx, [], read.length);
          return { read, purged: [] };
        }
        const at = now();
        const planned = new Map<number, Tombstone>(
          checked.map(({ row, bytes }) => [
            row.id,
            { id: row.id, callId: row.callId, bytesFreed: bytes ?? 0, missing: bytes === null },
          ]),
        );
        const stonesPlanned = [...planned.values()];
        const events = await openBatchEvents(trx, stonesPlanned, keyed, claim, eventType, at);
        await writeWholeTombstones(knex, stonesPlanned, keyed, claim, at, events);
        opened = [...planned.keys()]; // only once written: a row in `purging` always has its tombstone
        const outcomes = await files.remove(checked.map((c) => c.row));
        const stones = outcomes.filter((t): t is Tombstone => t !== null);
        // A file that could not go: the row stays as it was, a candidate for the next run.
        const failed = opened.filter((_, i) => outcomes[i] === null);
        if (failed.length > 0) await trx('recording_tombstones').whereIn('recording_id', failed).delete();
        // The file changed between the check and the unlink (rare): the tombstone says what went.
        const moved = stones.filter((s) => {
          const p = planned.get(s.id);
          return p?.bytesFreed !== s.bytesFreed || p.missing !== s.missing;
        });
        if (moved.length > 0) await writeWholeTombstones(trx, moved, keyed, claim, at, events);
        if (failed.length > 0 || moved.length > 0) await settleBatchEvents(trx, events, stones, keyed, claim);
        await markPurged(trx, stones, keyed, claim, null, at);
        await files.beforeCommit?.(trx, stones, read.length);
        return { read, purged: stones };
      },
      { isolationLevel: 'read committed' },
    );
  } catch (e) {
    // Rolled back after the tombstones were written: the files may be gone. Until a run finishes
    // them the rows must not read as live, holdable recordings (this waits for the rollback).
    // The locks are gone: a hold or a longer retention placed since wins, and the next run
    // reports the row (RetentionRepo.reopenInterrupted).
    if (opened.length > 0) await backToPurging(knex, opened, q.asOf, now()).catch(() => undefined); // the database is gone too: the next run reopens them
    throw e;
  }
}

function lockedRead(trx: Knex.Transaction, q: LockedQuery): Knex.QueryBuilder {
  return expiredRows(trx, q)
    .select([...CANDIDATE_COLS, 'wrapped_key'])
    .forUpdate();
}
