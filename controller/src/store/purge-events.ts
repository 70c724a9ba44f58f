// The `purged` audit event of a locked purge batch: one event for up to EVENT_SPAN recordings,
// named by each of their tombstones (recording_tombstones.event_id), instead of one event row
// each. Written here; read back per recording by EventsRepo, which shows each recording the
// batch's event as its own (purgedView).
import type { Knex } from 'knex';
import type { RecordingEventRecord } from '../domain/records';
import type { Claim, Tombstone } from './purge-candidates';
import { fromJson, toDateReq, toJson, toNum, type Row } from './rows';

/** Recordings one event names at most: its id list stays a few KB, within a TEXT column. */
export const EVENT_SPAN = 1000;

/** What a batch event's detail holds. */
interface BatchDetail {
  reason: string;
  recordings: number[];
  bytesFreed: number;
  missingFiles?: number[];
  keyDestroyed?: number[];
}

function batchDetail(claim: Claim, rows: readonly Tombstone[], keyed: ReadonlySet<number>): BatchDetail {
  const missing = rows.filter((r) => r.missing).map((r) => r.id);
  const shred = rows.filter((r) => keyed.has(r.id)).map((r) => r.id);
  return {
    reason: claim.reason,
    recordings: rows.map((r) => r.id),
    bytesFreed: rows.reduce((n, r) => n + r.bytesFreed, 0),
    ...(missing.length > 0 ? { missingFiles: missing } : {}),
    ...(shred.length > 0 ? { keyDestroyed: shred } : {}),
  };
}

const chunks = <T>(xs: readonly T[]): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += EVENT_SPAN) out.push(xs.slice(i, i + EVENT_SPAN));
  return out;
};

/**
 * The batch's events, written in its transaction before its tombstones (which name them) and
 * committed with its `purged` rows: the recording id of each planned row -> its event's id.
 */
export async function openBatchEvents(
  trx: Knex.Transaction,
  planned: readonly Tombstone[],
  keyed: ReadonlySet<number>,
  claim: Claim,
  type: string,
  at: Date,
): Promise<Map<number, number>> {
  const byRecording = new Map<number, number>();
  for (const part of chunks(planned)) {
    const [id] = (await trx('recording_events').insert({
      call_id: null,
      recording_id: null,
      type,
      actor: claim.by,
      detail: toJson(batchDetail(claim, part, keyed)),
      at,
    })) as number[];
    for (const r of part) byRecording.set(r.id, Number(id));
  }
  return byRecording;
}

/**
 * After the unlinks: each event says what went (a file that could not go is not purged; one that
 * changed says what the unlink found). An event with nothing left is deleted: nothing happened.
 */
export async function settleBatchEvents(
  trx: Knex.Transaction,
  events: ReadonlyMap<number, number>,
  purged: readonly Tombstone[],
  keyed: ReadonlySet<number>,
  claim: Claim,
): Promise<void> {
  const byEvent = new Map<number, Tombstone[]>();
  for (const id of new Set(events.values())) byEvent.set(id, []);
  for (const t of purged) byEvent.get(events.get(t.id) ?? -1)?.push(t);
  for (const [id, rows] of byEvent) {
    if (rows.length === 0) await trx('recording_events').where({ id }).delete();
    else
      await trx('recording_events')
        .where({ id })
        .update({ detail: toJson(batchDetail(claim, rows, keyed)) });
  }
}

/** The columns purgedView reads: the batch event's, and its tombstone's and recording's. */
const VIEW_COLS = [
  'e.id',
  'e.type',
  'e.actor',
  'e.detail',
  'e.at',
  'rt.recording_id',
  'rt.bytes_freed',
  'r.call_id',
] as const;

/** A batch's event as one recording's entry in the trail: its own bytes and whether its file was missing. */
function purgedView(r: Row): RecordingEventRecord {
  const recordingId = Number(r.recording_id);
  const d = fromJson<Partial<BatchDetail>>(r.detail) ?? {};
  const recordings = Array.isArray(d.recordings) ? d.recordings : [];
  return {
    id: Number(r.id),
    callId: toNum(r.call_id),
    recordingId,
    type: String(r.type),
    actor: String(r.actor),
    detail: {
      reason: d.reason ?? null,
      bytesFreed: Number(r.bytes_freed ?? 0),
      missingFile: d.missingFiles?.includes(recordingId) ?? false,
      ...(d.keyDestroyed?.includes(recordingId) ? { keyDestroyed: true } : {}),
      batchOf: recordings.length,
    },
    at: toDateReq(r.at),
  };
}

/** Batch events through the tombstones `where` selects (aliases rt, e, r), each as its recording's view. */
export async function purgedViews(
  knex: Knex,
  where: (q: Knex.QueryBuilder) => Knex.QueryBuilder,
): Promise<RecordingEventRecord[]> {
  const q = knex('recording_tombstones as rt')
    .join('recording_events as e', 'e.id', 'rt.event_id')
    .join('recordings as r', 'r.id', 'rt.recording_id')
    .where('r.state', 'purged')
    .select([...VIEW_COLS]);
  return ((await where(q)) as Row[]).map(purgedView);
}
