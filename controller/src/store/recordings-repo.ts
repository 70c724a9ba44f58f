import type { Knex } from 'knex';
import type { RecordingRecord, RecordingState } from '../domain/records';
import { findById, insertStamped, requireById, updateStamped } from './by-id';
import { fromColumns, toBool, toColumns, toDate, toDateReq, toNum, toStr, type Row } from './rows';

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
export type RecordingPatch = Partial<Omit<RecordingRecord, 'id' | 'callId' | 'createdAt'>>;

export function recordingFromRow(row: Row): RecordingRecord {
  const r = fromColumns(row);
  return {
    ...(r as unknown as RecordingRecord),
    id: Number(r.id),
    callId: Number(r.callId),
    channels: Number(r.channels),
    beep: toBool(r.beep),
    onHold: toBool(r.onHold),
    durationMs: toNum(r.durationMs),
    pausedMs: Number(r.pausedMs ?? 0),
    sizeBytes: toNum(r.sizeBytes),
    purgeRunId: toNum(r.purgeRunId),
    bytesFreed: toNum(r.bytesFreed),
    keyId: toStr(r.keyId),
    wrappedKey: toStr(r.wrappedKey),
    storedBytes: toNum(r.storedBytes),
    keyDestroyedAt: toDate(r.keyDestroyedAt),
    format: toStr(r.format),
    startedAt: toDate(r.startedAt),
    endedAt: toDate(r.endedAt),
    retainUntil: toDate(r.retainUntil),
    holdAt: toDate(r.holdAt),
    purgedAt: toDate(r.purgedAt),
    createdAt: toDateReq(r.createdAt),
    updatedAt: toDateReq(r.updatedAt),
  };
}

export class RecordingsRepo {
  constructor(
    private readonly knex: Knex,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async insert(rec: NewRecording): Promise<RecordingRecord> {
    return requireById(this.knex, 'recordings', await this.insertId(rec), recordingFromRow, 'recording');
  }

  /** The gate's insert: no read-back, it runs before the caller may go on. */
  async insertId(rec: NewRecording): Promise<number> {
    return insertStamped(this.knex, 'recordings', toColumns(rec), this.now());
  }

  async get(id: number): Promise<RecordingRecord | null> {
    return findById(this.knex, 'recordings', id, recordingFromRow);
  }

  async forCall(callId: number): Promise<RecordingRecord[]> {
    const rows = (await this.knex('recordings').where({ call_id: callId }).orderBy('id')) as Row[];
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

  async update(id: number, patch: RecordingPatch): Promise<void> {
    await updateStamped(this.knex, 'recordings', id, toColumns(patch), this.now());
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
