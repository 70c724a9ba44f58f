// MySQL's locked purge batch writes one `purged` audit event for its recordings, named by their
// tombstones; each recording's trail, its call's and the audit query by recording show it as the
// recording's own entry.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { runRetention, type RetentionDeps } from '../../controller/src/retention/runner';
import type { Store } from '../../controller/src/store';
import type { Db } from '../../controller/src/store/db';
import { EVENT_SPAN } from '../../controller/src/store/purge-events';
import type { PurgeCandidate } from '../../controller/src/store/purge-candidates';
import { createLogger } from '../../controller/src/util/logger';
import { openTestStore, type TestStore } from '../helpers/db';
import { doneCall, recordingRow } from '../helpers/rows';

const DAY = 86_400_000;
const NOW = new Date('2027-06-15T03:00:00Z');
const logger = createLogger({ level: 'error', format: 'json', stream: new PassThrough().resume() });

describe('a locked purge batch audit event (MySQL)', () => {
  let t: TestStore;
  let db: Db;
  let store: Store;
  let root: string;
  let callId: number;
  let otherCall: number;

  beforeAll(async () => {
    t = await openTestStore('mysql');
    ({ db, store } = t);
    callId = (await store.calls.insert(doneCall('pbe.1'))).id;
    otherCall = (await store.calls.insert(doneCall('pbe.2'))).id;
  });
  afterAll(() => t.dispose());
  beforeEach(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'callrec-pbe-'));
    for (const table of ['recording_events', 'recording_tombstones', 'recordings', 'retention_runs', 'locks'])
      await db.knex(table).delete();
  });

  const deps = (batchSize: number): RetentionDeps => ({
    root,
    node: 'pbx1',
    lengths: { standardDays: 180, extendedYears: 7 },
    batchSize,
    logger,
    now: () => NOW,
  });

  /** An expired recording with a file of `bytes` on disk. */
  async function seed(i: number, bytes: number, call = callId): Promise<number> {
    const filePath = `2027/01/01/pbe-${i}.wav`;
    const ended = new Date(NOW.getTime() - (200 + i) * DAY);
    const rec = await store.recordings.insert({
      callId: call,
      ...recordingRow(filePath, { startedAt: new Date(ended.getTime() - 60_000) }),
    });
    await store.recordings.update(rec.id, {
      endedAt: ended,
      sizeBytes: bytes,
      retainUntil: new Date(NOW.getTime() - DAY),
    });
    fs.mkdirSync(path.join(root, '2027/01/01'), { recursive: true });
    fs.writeFileSync(path.join(root, filePath), Buffer.alloc(bytes));
    return rec.id;
  }

  const purgedOf = async (id: number) => (await store.events.forRecording(id)).filter((e) => e.type === 'purged');

  it('writes one event per batch, and shows each recording its own entry with its own bytes', async () => {
    const ids = [await seed(1, 100), await seed(2, 200), await seed(3, 300), await seed(4, 400, otherCall)];
    const out = await runRetention(store, deps(3), { trigger: 'cli' });
    if (out.kind !== 'done') throw new Error('locked');
    const actor = `retention-run:${out.run.id}`;

    const rows = await db.knex('recording_events').where({ type: 'purged' }).orderBy('id');
    expect(rows).toHaveLength(2);
    expect(rows.map((r: { recording_id: unknown; call_id: unknown }) => [r.recording_id, r.call_id])).toEqual([
      [null, null],
      [null, null],
    ]);
    const lists = rows.map((r: { detail: string }) => (JSON.parse(r.detail) as { recordings: number[] }).recordings);
    expect(lists.flat().sort((a: number, b: number) => a - b)).toEqual(ids);
    expect(JSON.parse(String(rows[0].detail))).toMatchObject({ reason: 'retention expired', bytesFreed: 600 });

    for (const [i, id] of ids.entries())
      expect(await purgedOf(id)).toEqual([
        {
          id: expect.any(Number),
          callId: i < 3 ? callId : otherCall,
          recordingId: id,
          type: 'purged',
          actor,
          detail: {
            reason: 'retention expired',
            bytesFreed: (i + 1) * 100,
            missingFile: false,
            batchOf: 3 - (i === 3 ? 2 : 0),
          },
          at: expect.any(Date),
        },
      ]);
    // The call's trail: one entry per recording purged, none for the other call's.
    const forCall = (await store.events.forCall(callId)).filter((e) => e.type === 'purged');
    expect(forCall.map((e) => e.recordingId)).toEqual(ids.slice(0, 3));
    // The audit query by recording shows the recording's view; without it, the batch's rows.
    const [viaAudit] = await store.events.query({ recordingId: ids[1] }, 10);
    expect(viaAudit).toMatchObject({ recordingId: ids[1], callId, detail: { bytesFreed: 200 } });
    const all = await store.events.query({ type: 'purged' }, 10);
    expect(all.map((e) => e.recordingId)).toEqual([null, null]);
    // Paged by recording, newest first, the batch's event in its place; the other filters apply to it.
    await store.events.append({ callId, recordingId: ids[1]!, type: 'listened', actor: 'auditor', detail: null });
    const [newest] = await store.events.query({ recordingId: ids[1] }, 1);
    expect(newest).toMatchObject({ type: 'listened' });
    const older = await store.events.query({ recordingId: ids[1] }, 5, newest?.id);
    expect(older).toEqual([expect.objectContaining({ type: 'purged', recordingId: ids[1], id: viaAudit?.id })]);
    expect((await store.events.query({ recordingId: ids[1], type: 'listened' }, 5)).map((e) => e.type)).toEqual([
      'listened',
    ]);
  });

  it('names only the recordings whose files went, with the bytes the unlink found', async () => {
    const ids = [await seed(1, 100), await seed(2, 200), await seed(3, 300)];
    const claim = { runId: 9, by: 'retention-run:9', reason: 'retention expired' };
    const batch = await store.retention.purgeLocked({ state: 'completed', asOf: NOW, limit: 10, after: null }, claim, {
      check: async (rows: readonly PurgeCandidate[]) => rows.map((row) => ({ row, bytes: row.sizeBytes })),
      // The first could not go; the second had grown since the check.
      remove: async (rows: readonly PurgeCandidate[]) =>
        rows.map((r, i) =>
          i === 0
            ? null
            : { id: r.id, callId: r.callId, bytesFreed: (r.sizeBytes ?? 0) + (i === 1 ? 5 : 0), missing: false },
        ),
    });
    expect(batch.purged.map((p) => p.id)).toEqual(ids.slice(1));
    const [row] = await db.knex('recording_events').where({ type: 'purged' });
    expect(JSON.parse(String(row.detail))).toEqual({
      reason: 'retention expired',
      recordings: ids.slice(1),
      bytesFreed: 505,
    });
    expect(await purgedOf(ids[0]!)).toEqual([]);
    expect((await purgedOf(ids[1]!))[0]?.detail).toMatchObject({ bytesFreed: 205, batchOf: 2 });
  });

  it('writes no event when no file of the batch could go', async () => {
    await seed(1, 100);
    const claim = { runId: 9, by: 'retention-run:9', reason: 'retention expired' };
    await store.retention.purgeLocked({ state: 'completed', asOf: NOW, limit: 10, after: null }, claim, {
      check: async (rows: readonly PurgeCandidate[]) => rows.map((row) => ({ row, bytes: row.sizeBytes })),
      remove: async (rows: readonly PurgeCandidate[]) => rows.map(() => null),
    });
    expect(await db.knex('recording_events').where({ type: 'purged' })).toEqual([]);
  });

  it(`splits a batch larger than ${EVENT_SPAN} recordings into events of at most ${EVENT_SPAN}`, async () => {
    const n = EVENT_SPAN + 2;
    const rows = Array.from({ length: n }, (_, i) => ({
      call_id: callId,
      state: 'completed',
      file_path: `x/${i}.wav`,
      record_mode: 'from-answer',
      tier: 'standard',
      direction: 'inbound',
      started_at: new Date(NOW.getTime() - 300 * DAY),
      ended_at: new Date(NOW.getTime() - 300 * DAY),
      size_bytes: 1,
      retain_until: NOW,
      created_at: NOW,
      updated_at: NOW,
    }));
    await db.knex.batchInsert('recordings', rows, 500);
    const claim = { runId: 9, by: 'retention-run:9', reason: 'retention expired' };
    const batch = await store.retention.purgeLocked({ state: 'completed', asOf: NOW, limit: n, after: null }, claim, {
      check: async (rs: readonly PurgeCandidate[]) => rs.map((row) => ({ row, bytes: 1 })),
      remove: async (rs: readonly PurgeCandidate[]) =>
        rs.map((r) => ({ id: r.id, callId: r.callId, bytesFreed: 1, missing: false })),
    });
    expect(batch.purged).toHaveLength(n);
    const events = await db.knex('recording_events').where({ type: 'purged' }).orderBy('id');
    expect(
      events.map((e: { detail: string }) => (JSON.parse(e.detail) as { recordings: number[] }).recordings.length),
    ).toEqual([EVENT_SPAN, 2]);
    const last = batch.purged[n - 1]!.id;
    expect((await purgedOf(last))[0]).toMatchObject({ id: Number(events[1].id), detail: { batchOf: 2 } });
  });
});
