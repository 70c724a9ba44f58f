import type { RecordingEventRecord } from '../domain/records';
import { rowMapper, toJson, type Row } from './rows';
import { Repo } from './repo';

export type NewEvent = Omit<RecordingEventRecord, 'id' | 'at'> & { at?: Date };

/** What the admin audit query filters on; `keyId` matches the "key N" an actor names. */
export interface AuditFilter {
  actor?: string;
  keyId?: number;
  type?: string;
  recordingId?: number;
  from?: Date;
  to?: Date;
}

const fromRow = rowMapper<RecordingEventRecord>(
  { int: ['id'], num: ['callId', 'recordingId'], text: ['type', 'actor'], json: ['detail'], dateReq: ['at'] },
  true,
);

/** The audit trail: every state change and every access, append-only. */
export class EventsRepo extends Repo {
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

  /** Whether this call already has this entry at this instant (a journal replay seen before). */
  async has(callId: number, type: string, at: Date): Promise<boolean> {
    return (
      (await this.knex('recording_events').select('id').where({ call_id: callId, type, at }).first()) !== undefined
    );
  }

  async forRecording(recordingId: number): Promise<RecordingEventRecord[]> {
    const rows = (await this.knex('recording_events')
      .where({ recording_id: recordingId })
      .orderBy([{ column: 'at' }, { column: 'id' }])) as Row[];
    return rows.map(fromRow);
  }

  /** The audit trail across recordings, newest first, keyset-paged on id (below `beforeId`). */
  async query(f: AuditFilter, limit: number, beforeId?: number): Promise<RecordingEventRecord[]> {
    const q = this.knex('recording_events');
    if (f.actor !== undefined) void q.where('actor', f.actor);
    // actorOf writes "name (role, key N)"; N is digits, so the pattern needs no escaping.
    if (f.keyId !== undefined) void q.where('actor', 'like', `%, key ${f.keyId})`);
    if (f.type !== undefined) void q.where('type', f.type);
    if (f.recordingId !== undefined) void q.where('recording_id', f.recordingId);
    if (f.from) void q.where('at', '>=', f.from);
    if (f.to) void q.where('at', '<', f.to);
    if (beforeId !== undefined) void q.where('id', '<', beforeId);
    const rows = (await q.orderBy('id', 'desc').limit(limit)) as Row[];
    return rows.map(fromRow);
  }

  async forCall(callId: number): Promise<RecordingEventRecord[]> {
    const rows = (await this.knex('recording_events')
      .where({ call_id: callId })
      .orderBy([{ column: 'at' }, { column: 'id' }])) as Row[];
    return rows.map(fromRow);
  }
}
