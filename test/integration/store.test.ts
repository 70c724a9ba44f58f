import { migrateDownAll, migrateLatest, migrationStatus, type Db, type Store } from '../../controller/src/store';
import { migrateDownOne } from '../../controller/src/store/migrate';
import { openTestStore, STORE_KINDS, type TestDb } from '../helpers/db';
import { recordingRow } from '../helpers/rows';

/** An audit event about a call (no recording yet). */
const callEvent = (callId: number, type: string, actor: string, detail: Record<string, unknown>) => ({
  callId,
  recordingId: null,
  type,
  actor,
  detail,
});

const TABLES = [
  'calls',
  'recordings',
  'recording_events',
  'flows',
  'applet_rules',
  'settings',
  'campaigns',
  'jurisdictions',
  'api_keys',
  'webhook_deliveries',
  'retention_runs',
];

describe.each(STORE_KINDS)('store on %s', (kind) => {
  let tdb: TestDb;
  let db: Db;
  let store: Store;

  beforeAll(async () => {
    ({ tdb, db, store } = await openTestStore(kind));
  });
  afterAll(async () => {
    await db.close();
    await tdb.drop();
  });

  it('round-trips migrations down and up, leaving every table of the model', async () => {
    await migrateDownAll(db.knex);
    for (const t of TABLES) expect(await db.knex.schema.hasTable(t)).toBe(false);
    expect((await migrationStatus(db.knex)).applied).toEqual([]);
    await migrateLatest(db.knex);
    for (const t of TABLES) expect(await db.knex.schema.hasTable(t)).toBe(true);
    expect((await migrationStatus(db.knex)).pending).toEqual([]);
  });

  const newCall = (pbxCallId: string) => ({
    node: 'pbx1',
    pbx: 'asterisk' as const,
    pbxCallId,
    direction: 'inbound' as const,
    flow: 'sales',
    applet: 'dial',
    campaign: null,
    fromNumber: '+13105550100',
    fromRaw: '3105550100',
    toNumber: '+12125550123',
    toRaw: '2125550123',
    agent: '201',
    language: 'en',
    state: 'gating' as const,
    recordMode: 'from-answer' as const,
    consentMode: 'announce' as const,
    decision: { recordMode: 'from-answer', reasons: ['applet rule sales/dial'] },
    startedAt: new Date('2026-11-22T10:00:00.123Z'),
  });

  it('moves a tombstone out of the recordings row and back with the migration', async () => {
    const call = await store.calls.insert(newCall('tomb.1'));
    const rec = await store.recordings.insert({ callId: call.id, ...recordingRow('2026/11/22/t.wav') });
    // Back past the purge batch events' column, then past the tombstones' table.
    await migrateDownOne(db.knex);
    expect(await db.knex.schema.hasColumn('recording_tombstones', 'event_id')).toBe(false);
    await migrateDownOne(db.knex);
    const at = new Date('2026-11-23T04:00:00.000Z');
    await db.knex('recordings').where({ id: rec.id }).update({
      state: 'purged',
      purged_at: at,
      purge_run_id: 7,
      purged_by: 'retention-run:7',
      purge_reason: 'retention expired',
      bytes_freed: 1000,
    });
    await migrateLatest(db.knex);
    const tomb = {
      purgedAt: at,
      purgeRunId: 7,
      purgedBy: 'retention-run:7',
      purgeReason: 'retention expired',
      bytesFreed: 1000,
    };
    expect(await store.recordings.get(rec.id)).toMatchObject({ state: 'purged', ...tomb });
    expect(await db.knex.schema.hasColumn('recordings', 'purged_at')).toBe(false);
    expect(await db.knex.schema.hasColumn('recording_tombstones', 'event_id')).toBe(true);
    await migrateDownOne(db.knex);
    await migrateDownOne(db.knex);
    const [back] = await db.knex('recordings').where({ id: rec.id }).select('purge_run_id', 'purged_by', 'bytes_freed');
    expect(back).toMatchObject({ purge_run_id: 7, purged_by: 'retention-run:7', bytes_freed: 1000 });
    await migrateLatest(db.knex);
  });

  it('stores a call and its recording with dates, booleans and JSON intact', async () => {
    const call = await store.calls.insert(newCall('1732312345.12'));
    expect(call.id).toBeGreaterThan(0);
    expect(call.startedAt.toISOString()).toBe('2026-11-22T10:00:00.123Z');
    expect(call.decision).toEqual({ recordMode: 'from-answer', reasons: ['applet rule sales/dial'] });
    const rec = await store.recordings.insert({
      callId: call.id,
      state: 'pending',
      filePath: '2026/11/22/20261122100000-+13105550100-+12125550123-1.wav',
      recordMode: 'from-answer',
      tier: 'standard',
      channels: 1,
      beep: true,
      direction: 'inbound',
      fromNumber: call.fromNumber,
      toNumber: call.toNumber,
      agent: '201',
      flow: 'sales',
      campaign: null,
    });
    expect(rec).toMatchObject({ state: 'pending', beep: true, onHold: false, pausedMs: 0, retainUntil: null });
    expect(await store.calls.findByPbxId('pbx1', '1732312345.12')).toMatchObject({ id: call.id, agent: '201' });
    await store.calls.update(call.id, { state: 'recording', answeredAt: new Date('2026-11-22T10:00:05Z') });
    expect((await store.calls.get(call.id))?.answeredAt?.toISOString()).toBe('2026-11-22T10:00:05.000Z');
  });

  it('moves a recording between states only from the expected ones', async () => {
    const call = await store.calls.insert(newCall('1732312345.13'));
    const rec = await store.recordings.insert({
      callId: call.id,
      ...recordingRow('x.wav', { state: 'pending', recordMode: 'from-ringing', tier: 'extended', channels: 2 }),
    });
    expect(await store.recordings.transition(rec.id, ['pending'], 'recording', { startedAt: new Date() })).toBe(true);
    expect(await store.recordings.transition(rec.id, ['pending'], 'recording')).toBe(false);
    expect((await store.recordings.get(rec.id))?.state).toBe('recording');
  });

  it('refuses a second call with the same PBX id on the same node', async () => {
    await store.calls.insert(newCall('dup.1'));
    // better-sqlite3's errors come from another realm under jest: match the message, not the class.
    await expect(store.calls.insert(newCall('dup.1'))).rejects.toMatchObject({
      message: expect.stringMatching(/UNIQUE|Duplicate entry/),
    });
  });

  it('writes all of a transaction or none of it', async () => {
    await expect(
      store.transaction(async (tx) => {
        const c = await tx.calls.insert(newCall('tx.1'));
        await tx.events.append(callEvent(c.id, 'gated', 'system', { flow: 'sales' }));
        throw new Error('PBX said no');
      }),
    ).rejects.toThrow('PBX said no');
    expect(await store.calls.findByPbxId('pbx1', 'tx.1')).toBeNull();
  });

  it('keeps the audit trail in order with its actor and detail', async () => {
    const c = await store.calls.insert(newCall('ev.1'));
    await store.events.append(callEvent(c.id, 'gated', 'system', { flow: 'sales' }));
    await store.events.append(callEvent(c.id, 'consent', 'caller', { outcome: 'accepted' }));
    const events = await store.events.forCall(c.id);
    expect(events.map((e) => [e.type, e.actor, e.detail])).toEqual([
      ['gated', 'system', { flow: 'sales' }],
      ['consent', 'caller', { outcome: 'accepted' }],
    ]);
  });
});
