// What users (through the API and CLI) may do to a recording's retention. Implemented by the
// retention module over the store and the files; early deletion reuses the purge path.
import type { RecordingRecord, Tier } from '../domain/records';
import type { Result } from '../util/result';

export type RetentionErrorKind = 'not-found' | 'on-hold' | 'invalid' | 'conflict';
export interface RetentionError { kind: RetentionErrorKind; detail: string }

export interface MonthDeletion { month: string; purged: number; skippedOnHold: number; bytesFreed: number }

export interface RetentionActions {
  hold(recordingId: number, reason: string, actor: string): Promise<Result<RecordingRecord, RetentionError>>;
  release(recordingId: number, reason: string, actor: string): Promise<Result<RecordingRecord, RetentionError>>;
  setTier(recordingId: number, tier: Tier, actor: string): Promise<Result<RecordingRecord, RetentionError>>;
  /** Refused with on-hold while held; otherwise file first, then the tombstone. */
  deleteEarly(recordingId: number, reason: string, actor: string): Promise<Result<RecordingRecord, RetentionError>>;
  /** Every unheld recording that started in the month ("YYYY-MM", UTC). */
  deleteMonth(month: string, reason: string, actor: string): Promise<Result<MonthDeletion, RetentionError>>;
}
