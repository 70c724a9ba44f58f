// The recordings a purge works on: the states it may purge, a candidate's columns and how its row
// reads back, who claims it (Claim), what its tombstone records (Tombstone), and the paging cursor.
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
