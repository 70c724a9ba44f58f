// The nightly purge's batch on MySQL, one transaction per batch: lock the expired rows (hold and
// expiry re-checked by the locking read), open their tombstones on another connection (committed
// before any file goes), let the caller delete the files, then close the tombstones and write the
// audit events. A hold placed meanwhile waits on the row lock and then finds the row purged. A run
// that dies after the unlink leaves rows `completed` with an open tombstone: the next run reopens
// them (RetentionRepo.reopenInterrupted) and finishes them like any interrupted purge.
import type { Knex } from 'knex';
import type { RecordingState } from '../domain/records';
import {
  CANDIDATE_COLS,
  candidateFromRow,
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

export interface LockedBatch {
  /** The rows read, in order (the cursor is the last one); empty at the end. */
  read: PurgeCandidate[];
  purged: number;
}

export async function purgeLockedBatch(
  knex: Knex,
  now: () => Date,
  q: { state: RecordingState; asOf: Date; limit: number; after: Cursor | null },
  claim: Claim,
  eventType: string,
  files: LockedFiles,
): Promise<LockedBatch> {
  // Read committed: the locking read takes the rows it returns, no gaps, so inserts never wait on it.
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
      await openTombstones(
        knex,
        valid.map((r) => r.id),
        claim,
      );
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
