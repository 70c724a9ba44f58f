// The nightly purge's batch on MySQL, one transaction per batch: lock the expired rows (hold and
// expiry re-checked by the locking read), open their tombstones on another connection (committed
// before any file goes), let the caller delete the files, then close the tombstones and write the
// audit events. A hold placed meanwhile waits on the row lock and then finds the row purged. A
// batch that fails after opening its tombstones puts its rows in `purging`; one killed outright
// leaves them `completed` with open tombstones, which the next run reopens
// (RetentionRepo.reopenInterrupted). Either way the next run finishes them.
import type { Knex } from 'knex';
import type { RecordingState } from '../domain/records';
import { retryOnDeadlock } from './deadlock-retry';
import {
  CANDIDATE_COLS,
  candidateFromRow,
  PURGEABLE,
  type Claim,
  type Cursor,
  type PurgeCandidate,
  type Tombstone,
} from './purge-candidates';
import { closeTombstones, openTombstones } from './retention-tombstone';
import type { Row } from './rows';

export interface LockedFiles {
  /** Rows whose file may be deleted (the rest are reported by the caller and left as they are). */
  check(rows: readonly PurgeCandidate[]): Promise<PurgeCandidate[]>;
  /** Deletes the files: a tombstone for each row whose file is gone, null where it could not go. */
  remove(rows: readonly PurgeCandidate[]): Promise<Array<Tombstone | null>>;
}

/** The batch: expired rows of one state, in retention order after the cursor. */
export interface LockedQuery {
  state: RecordingState;
  asOf: Date;
  limit: number;
  after: Cursor | null;
}

export interface LockedBatch {
  /** The rows read, in order (the cursor is the last one); empty at the end. */
  read: PurgeCandidate[];
  purged: number;
}

export async function purgeLockedBatch(
  knex: Knex,
  now: () => Date,
  q: LockedQuery,
  claim: Claim,
  eventType: string,
  files: LockedFiles,
): Promise<LockedBatch> {
  // A deadlock (a bulk hold locks in id order, this read in retention order) is retried whole: a
  // batch that had opened its tombstones left its rows `purging`, so the retry reads past them.
  const args = { knex, now, q, claim, eventType, files };
  return retryOnDeadlock(() => lockedBatch(args));
}

type BatchArgs =
  Parameters<typeof purgeLockedBatch> extends [infer K, infer N, infer Q, infer C, infer E, infer F]
    ? { knex: K; now: N; q: Q; claim: C; eventType: E; files: F }
    : never;

async function lockedBatch({ knex, now, q, claim, eventType, files }: BatchArgs): Promise<LockedBatch> {
  let opened: number[] = [];
  try {
    return await inTransaction();
  } catch (e) {
    // Rolled back after the intent: the files may be gone. Until a run finishes them the rows must
    // not read as live, holdable recordings: back to `purging` (this waits for the rollback).
    if (opened.length > 0)
      await knex('recordings')
        .whereIn('id', opened)
        .whereIn('state', [...PURGEABLE])
        .update({ state: 'purging', updated_at: now() })
        .catch(() => undefined); // the database is gone too: the next run reopens them
    throw e;
  }

  // Read committed: the locking read takes the rows it returns, no gaps, so inserts never wait on it.
  function inTransaction(): Promise<LockedBatch> {
    return knex.transaction(
      async (trx) => {
        const sel = trx('recordings')
          .select([...CANDIDATE_COLS, 'wrapped_key'])
          .where({ state: q.state, on_hold: false })
          .where('retain_until', '<=', q.asOf);
        const after = q.after;
        if (after)
          sel.andWhere((w) =>
            w
              .where('retain_until', '>', after.retainUntil)
              .orWhere((w2) => w2.where('retain_until', '=', after.retainUntil).andWhere('id', '>', after.id)),
          );
        const raw = (await sel
          .orderBy([{ column: 'retain_until' }, { column: 'id' }])
          .limit(q.limit)
          .forUpdate()) as Row[];
        const read = raw.map(candidateFromRow);
        const keyed = new Set(raw.filter((r) => r.wrapped_key !== null).map((r) => Number(r.id)));
        const valid = await files.check(read);
        if (valid.length === 0) return { read, purged: 0 };
        // On its own connection, committed before a file goes: the intent survives this transaction.
        opened = valid.map((r) => r.id);
        await openTombstones(knex, opened, claim);
        const outcomes = await files.remove(valid);
        const stones = outcomes.filter((t): t is Tombstone => t !== null);
        const failed = valid.filter((_, i) => outcomes[i] === null).map((r) => r.id);
        // A file that could not go: the row stays as it was, a candidate for the next run.
        if (failed.length > 0)
          await trx('recording_tombstones').whereIn('recording_id', failed).whereNull('purged_at').delete();
        await closeTombstones(trx, stones, keyed, claim, eventType, now());
        return { read, purged: stones.length };
      },
      { isolationLevel: 'read committed' },
    );
  }
}
