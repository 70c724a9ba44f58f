import type { Knex } from 'knex';
import type { RecordingEventRecord } from '../domain/records';
import { purgedViews } from './purge-events';
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

/** Oldest first, as a timeline reads: by time, then by id. */
const byTime = (a: RecordingEventRecord, b: RecordingEventRecord) => a.at.getTime() - b.at.getTime() || a.id - b.id;

/**
 * The audit trail: every state change and every access, append-only. A locked purge batch's
 * `purged` event is one row for its recordings (purge-events.ts): a recording's or a call's
 * trail shows it as the recording's own entry, with the recording's bytes.
 */
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
    return this.trail({ recording_id: recordingId }, (q) => q.where('rt.recording_id', recordingId));
  }

  /** The audit trail across recordings, newest first, keyset-paged on id (below `beforeId`). */
  async query(f: AuditFilter, limit: number, beforeId?: number): Promise<RecordingEventRecord[]> {
    const filtered = () => {
      const q = this.knex('recording_events');
      if (f.actor !== undefined) void q.where('actor', f.actor);
      // actorOf writes "name (role, key N)"; N is digits, so the pattern needs no escaping.
      if (f.keyId !== undefined) void q.where('actor', 'like', `%, key ${f.keyId})`);
      if (f.type !== undefined) void q.where('type', f.type);
      if (f.from) void q.where('at', '>=', f.from);
      if (f.to) void q.where('at', '<', f.to);
      if (beforeId !== undefined) void q.where('id', '<', beforeId);
      return q.orderBy('id', 'desc').limit(limit);
    };
    const rid = f.recordingId;
    if (rid === undefined) return ((await filtered()) as Row[]).map(fromRow);
    // A recording's trail includes its purge batch's event, named by its tombstone. Its rows and
    // that event are read apart, each on its index (an OR across the two would scan the table).
    const [rows, own] = await Promise.all([
      filtered().where('recording_id', rid) as Promise<Row[]>,
      purgedViews(this.knex, (v) => v.where('rt.recording_id', rid)),
    ]);
    const mine = rows.map(fromRow);
    if (own.length === 0) return mine;
    const views = new Map(own.map((e) => [e.id, e] as const));
    const batch = ((await filtered().whereIn('id', [...views.keys()])) as Row[]).map(
      (r) => views.get(Number(r.id)) ?? fromRow(r),
    );
    return [...mine, ...batch].sort((a, b) => b.id - a.id).slice(0, limit);
  }

  async forCall(callId: number): Promise<RecordingEventRecord[]> {
    return this.trail({ call_id: callId }, (q) => q.where('r.call_id', callId));
  }

  /** A timeline: the event rows `where` selects and the purge batch events its tombstones name, oldest first. */
  private async trail(
    where: Record<string, number>,
    tombstones: (q: Knex.QueryBuilder) => Knex.QueryBuilder,
  ): Promise<RecordingEventRecord[]> {
    const [rows, purged] = await Promise.all([
      this.knex('recording_events').where(where) as Promise<Row[]>,
      purgedViews(this.knex, tombstones),
    ]);
    return [...rows.map(fromRow), ...purged].sort(byTime);
  }
}
