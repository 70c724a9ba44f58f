// The recordings a purge works on: the states it may purge, a candidate's columns and how its row
// reads back, who claims it (Claim), what its tombstone records (Tombstone), and the paging cursor.
import type { Knex } from 'knex';
import type { RecordingState } from '../domain/records';
import { toDate, toNum, type Row } from './rows';

/** States whose file may be purged: failed ones too (a header-only file is still a file). */
export const PURGEABLE: readonly RecordingState[] = ['completed', 'failed'];

export interface PurgeCandidate {
  id: number;
  callId: number;
  state: RecordingState;
  filePath: string;
  sizeBytes: number | null;
  retainUntil: Date | null;
  purgeRunId: number | null;
}

/** Who claims: a retention run (purge_run_id set) or a user deleting early (purged_by set). */
export interface Claim {
  runId: number | null;
  by: string;
  reason: string;
}

export interface Tombstone {
  id: number;
  callId: number;
  bytesFreed: number;
  missing: boolean;
  resumedFrom?: number | null;
}

export interface Cursor {
  retainUntil: Date;
  id: number;
}

/** Read from recordings; stuckPurging adds its tombstone's purge_run_id (null for the others). */
export const CANDIDATE_COLS = ['id', 'call_id', 'state', 'file_path', 'size_bytes', 'retain_until'];

export function candidateFromRow(r: Row): PurgeCandidate {
  return {
    id: Number(r.id),
    callId: Number(r.call_id),
    state: String(r.state) as RecordingState,
    filePath: String(r.file_path),
    sizeBytes: toNum(r.size_bytes),
    retainUntil: toDate(r.retain_until),
    purgeRunId: toNum(r.purge_run_id),
  };
}

/** A batch of the nightly purge: expired rows of one state, in retention order after the cursor. */
export interface ExpiredBatch {
  state: RecordingState;
  asOf: Date;
  limit: number;
  after: Cursor | null;
}

/**
 * The batch's rows, oldest first. One state per query keeps MySQL walking rec_retention_idx
 * (state, retain_until, id) in order, with no filesort.
 */
export function expiredRows(db: Knex, b: ExpiredBatch): Knex.QueryBuilder {
  const q = db('recordings').where({ state: b.state, on_hold: false }).where('retain_until', '<=', b.asOf);
  const after = b.after;
  if (after)
    q.andWhere((w) =>
      w
        .where('retain_until', '>', after.retainUntil)
        .orWhere((w2) => w2.where('retain_until', '=', after.retainUntil).andWhere('id', '>', after.id)),
    );
  return q.orderBy([{ column: 'retain_until' }, { column: 'id' }]).limit(b.limit);
}

/** Still purgeable now: a purgeable state, unheld and expired as of `asOf` (null: not checked). */
export function stillPurgeable(q: Knex.QueryBuilder, asOf: Date | null): Knex.QueryBuilder {
  q.whereIn('state', [...PURGEABLE]).where({ on_hold: false });
  if (asOf) q.where('retain_until', '<=', asOf);
  return q;
}
