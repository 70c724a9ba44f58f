import type { Knex } from 'knex';
import type { RecordingRecord, RecordingState } from '../domain/records';
import { StampedRepo } from './repo';
import { rowMapper, toColumns, type Row } from './rows';

export type NewRecording = Pick<
  RecordingRecord,
  | 'callId'
  | 'state'
  | 'filePath'
  | 'recordMode'
  | 'tier'
  | 'channels'
  | 'beep'
  | 'direction'
  | 'fromNumber'
  | 'toNumber'
  | 'agent'
  | 'flow'
  | 'campaign'
> &
  Partial<Pick<RecordingRecord, 'startedAt'>>;
/** The tombstone is the purge's to write (recording_tombstones), never a patch of the row. */
type TombstoneField = 'purgedAt' | 'purgeRunId' | 'purgeReason' | 'purgedBy' | 'bytesFreed';
export type RecordingPatch = Partial<Omit<RecordingRecord, 'id' | 'callId' | 'createdAt' | TombstoneField>>;

export const recordingFromRow = rowMapper<RecordingRecord>({
  int: ['id', 'callId', 'channels'],
  count: ['pausedMs'],
  bool: ['beep', 'onHold'],
  num: ['durationMs', 'sizeBytes', 'purgeRunId', 'bytesFreed', 'storedBytes'],
  str: ['keyId', 'wrappedKey', 'format'],
  date: ['keyDestroyedAt', 'startedAt', 'endedAt', 'retainUntil', 'holdAt', 'purgedAt'],
  dateReq: ['createdAt', 'updatedAt'],
});

/**
 * Recordings as RecordingRecord reads them: the row and its tombstone, if any (kept apart so a purge
 * changes the recordings row in place: see the tombstones migration).
 */
export function recordingRows(db: Knex): Knex.QueryBuilder {
  // An open tombstone (the purge under way, or killed) says who and why, not yet when or how much.
  const once = (col: string) => db.raw(`case when recordings.state = 'purged' then rt.${col} end as ${col}`);
  return db('recordings')
    .leftJoin('recording_tombstones as rt', 'rt.recording_id', 'recordings.id')
    .select(
      'recordings.*',
      once('purged_at'),
      'rt.purge_run_id',
      'rt.purge_reason',
      'rt.purged_by',
      once('bytes_freed'),
    );
}

export class RecordingsRepo extends StampedRepo<RecordingRecord, NewRecording, RecordingPatch> {
  protected readonly table = 'recordings';
  protected readonly noun = 'recording';
  protected fromRow(row: Row): RecordingRecord {
    return recordingFromRow(row);
  }

  override async get(id: number): Promise<RecordingRecord | null> {
    const row = (await recordingRows(this.knex).where('recordings.id', id).first()) as Row | undefined;
    return row ? recordingFromRow(row) : null;
  }

  async forCall(callId: number): Promise<RecordingRecord[]> {
    const rows = (await recordingRows(this.knex).where({ call_id: callId }).orderBy('recordings.id')) as Row[];
    return rows.map(recordingFromRow);
  }

  /** Adds agents who took part (those already there are kept). */
  async addAgents(id: number, agents: readonly string[]): Promise<void> {
    if (agents.length === 0) return;
    await this.knex('recording_agents')
      .insert(agents.map((agent) => ({ recording_id: id, agent })))
      .onConflict(['recording_id', 'agent'])
      .ignore();
  }

  async agentsOf(id: number): Promise<string[]> {
    const rows = (await this.knex('recording_agents').where({ recording_id: id }).select('agent')) as Array<{
      agent: string;
    }>;
    return rows.map((r) => r.agent);
  }

  /** Which of these paths (relative to the root) some recording row already holds. */
  async knownPaths(paths: readonly string[]): Promise<Set<string>> {
    const known = new Set<string>();
    for (let i = 0; i < paths.length; i += 500) {
      const rows = (await this.knex('recordings')
        .select('file_path')
        .whereIn('file_path', paths.slice(i, i + 500))) as Row[];
      for (const r of rows) known.add(String(r.file_path));
    }
    return known;
  }

  /** Completed recordings after an id, in id order: the rows that promise a file on disk. */
  async completedAfter(afterId: number, limit: number): Promise<Array<{ id: number; filePath: string }>> {
    const rows = (await this.knex('recordings')
      .select('id', 'file_path')
      .where({ state: 'completed' })
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(limit)) as Row[];
    return rows.map((r) => ({ id: Number(r.id), filePath: String(r.file_path) }));
  }

  /**
   * Moves a recording from one of `from` to `to` with the patch, atomically: false when another
   * writer got there first (the caller then re-reads instead of overwriting).
   */
  async transition(
    id: number,
    from: readonly RecordingState[],
    to: RecordingState,
    patch: RecordingPatch = {},
  ): Promise<boolean> {
    const n = await this.knex('recordings')
      .where({ id })
      .whereIn('state', [...from])
      .update({ ...toColumns(patch), state: to, updated_at: this.now() });
    return Number(n) === 1;
  }
}
