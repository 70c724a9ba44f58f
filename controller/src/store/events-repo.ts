import type { Knex } from 'knex';
import type { RecordingEventRecord } from '../domain/records';
import { fromJson, toDateReq, toJson, toNum, type Row } from './rows';

export type NewEvent = Omit<RecordingEventRecord, 'id' | 'at'> & { at?: Date };

function fromRow(r: Row): RecordingEventRecord {
  return {
    id: Number(r.id),
    callId: toNum(r.call_id),
    recordingId: toNum(r.recording_id),
    type: String(r.type),
    actor: String(r.actor),
    detail: fromJson<Record<string, unknown>>(r.detail),
    at: toDateReq(r.at),
  };
}

/** The audit trail: every state change and every access, append-only. */
export class EventsRepo {
  constructor(private readonly knex: Knex, private readonly now: () => Date = () => new Date()) {}

  async append(e: NewEvent): Promise<void> {
    await this.knex('recording_events').insert({
      call_id: e.callId,
      recording_id: e.recordingId,
      type: e.type,
      actor: e.actor,
      detail: toJson(e.detail),
      at: e.at ?? this.now(),
    });
  }

  async forRecording(recordingId: number): Promise<RecordingEventRecord[]> {
    const rows = (await this.knex('recording_events').where({ recording_id: recordingId }).orderBy([{ column: 'at' }, { column: 'id' }])) as Row[];
    return rows.map(fromRow);
  }

  async forCall(callId: number): Promise<RecordingEventRecord[]> {
    const rows = (await this.knex('recording_events').where({ call_id: callId }).orderBy([{ column: 'at' }, { column: 'id' }])) as Row[];
    return rows.map(fromRow);
  }
}
