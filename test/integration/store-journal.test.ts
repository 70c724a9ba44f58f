// The store's local journal: a database that hangs or dies during calls does not hold them in the
// gate, and once it answers every call has its rows, timeline and outcome exactly once.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { applyJournalOp, JournalWriter, type JournalOp } from '../../controller/src/calls/journal-writer';
import { CallRegistry } from '../../controller/src/calls/registry';
import { loadConfig } from '../../controller/src/config';
import { AsteriskAdapter } from '../../controller/src/pbx/asterisk/adapter';
import { createStore, migrateLatest, openDb, type Db, type Store } from '../../controller/src/store';
import { JournalFile, JournalFullError } from '../../controller/src/store/journal-file';
import { createLogger, silentLogger } from '../../controller/src/util/logger';

const log = () => (process.env.CALLREC_TEST_LOG ? createLogger({ level: 'debug', format: 'pretty' }) : silentLogger());
import { AriSim } from '../helpers/asterisk/ari-sim';
import { decision, fixedEngine, HARNESS_SESSION, openHarnessStore, until, writeWav } from '../helpers/call-harness';
import { fakeMixMonitor } from '../helpers/asterisk/gate-harness';
import { PrivateMariadb, privateMariadbAvailable, removePrivateMariadbTemplate } from '../helpers/private-mariadb';
import { salesCall, salesRecording } from '../helpers/rows';

const tmp = (p: string) => fs.mkdtempSync(path.join(os.tmpdir(), p));

function op(pbxCallId: string, over: Partial<JournalOp> = {}): JournalOp {
  const at = new Date('2026-11-23T10:00:00.123Z');
  return {
    node: 'pbx1',
    pbxCallId,
    settle: null,
    call: salesCall(pbxCallId, { consentOutcome: 'announced', startedAt: at }),
    recording: salesRecording(`2026/11/23/${pbxCallId}.wav`, { startedAt: at }),
    timeline: [{ type: 'decided', actor: 'system', detail: { reason: 'x' }, at }],
    ...over,
  };
}

describe('the journal file', () => {
  it('keeps entries across a reopen until acknowledged, drops a torn last line, compacts when drained, and refuses past its bound', () => {
    const dir = tmp('callrec-journal-');
    const j = JournalFile.open<{ n: number }>(dir, 200);
    j.append({ n: 1 });
    j.append({ n: 2 });
    expect(() => j.append({ n: 3 + 'x'.length * 0 })).not.toThrow();
    expect(() => {
      for (let i = 0; i < 10; i++) j.append({ n: 10 + i });
    }).toThrow(JournalFullError);
    const depth = j.status().depth;
    j.close();
    fs.appendFileSync(path.join(dir, 'callrec.journal'), '{"seq":99,"at":"2026-');
    const again = JournalFile.open<{ n: number }>(dir, 10_000);
    expect(again.status().depth).toBe(depth);
    expect(again.peek()?.op).toEqual({ n: 1 });
    again.ack(again.peek()!.seq);
    again.close();
    const third = JournalFile.open<{ n: number }>(dir, 10_000);
    expect(third.peek()?.op).toEqual({ n: 2 });
    while (third.peek()) third.ack(third.peek()!.seq);
    expect(third.status()).toMatchObject({ depth: 0, bytes: 0, oldestAt: null });
    third.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('replays an entry into the database exactly once, however often it is applied', async () => {
    const h = await openHarnessStore('sqlite');
    try {
      const settle = { to: 'completed' as const, patch: { durationMs: 1000, sizeBytes: 16044, endedAt: new Date() } };
      for (let i = 0; i < 2; i++) {
        await applyJournalOp(h.store, op('c1'));
        await applyJournalOp(h.store, op('c1', { settle }));
      }
      const call = (await h.store.calls.findByPbxId('pbx1', 'c1'))!;
      expect(await h.store.recordings.forCall(call.id)).toMatchObject([{ state: 'completed', durationMs: 1000 }]);
      expect((await h.store.events.forCall(call.id)).map((e) => e.type)).toEqual(['decided']);
    } finally {
      await h.dispose();
    }
  });
});

const ENGINE = fixedEngine({ answer: decision() });
const describeDb = privateMariadbAvailable ? describe : describe.skip;

describeDb('calls while the database hangs or dies (private MariaDB)', () => {
  let mdb: PrivateMariadb;
  let db: Db;
  let store: Store;
  let sim: AriSim;
  let adapter: AsteriskAdapter;
  let registry: CallRegistry;
  let writer: JournalWriter;
  let dir: string;
  let journalDir: string;
  let abort: AbortController;

  beforeEach(async () => {
    mdb = await PrivateMariadb.start();
    db = openDb(mdb.url);
    await migrateLatest(db.knex);
    store = createStore(db);
    dir = tmp('callrec-rec-');
    journalDir = tmp('callrec-journal-');
    sim = await AriSim.start({ playbackMs: 30 });
    sim.onRecord = (_id, file) => writeWav(file, 1);
    const cfg = loadConfig({
      CALLREC_ARI_URL: sim.url,
      CALLREC_ARI_PASSWORD: 'secret',
      CALLREC_RECORDINGS_DIR: dir,
      CALLREC_NODE: 'pbx1',
    });
    adapter = new AsteriskAdapter(cfg, silentLogger(), { mixmon: fakeMixMonitor(), requestTimeoutMs: 1000 });
    // This test's registry, not the describe's variable: a writer left over from an earlier test
    // must not hand its ids (same PBX call ids, row ids from 1) to this test's calls.
    let own: CallRegistry | null = null;
    writer = new JournalWriter(store, JournalFile.open<JournalOp>(journalDir, 1 << 20), log(), {
      retryMs: 100,
      applied: (pbxCallId, a) => own?.journalApplied(pbxCallId, a.callId, a.recordingId),
    });
    registry = own = new CallRegistry({
      port: adapter,
      store,
      policy: async () => ENGINE,
      logger: log(),
      journal: { writer, boundMs: 300 },
      settings: {
        node: 'pbx1',
        recordingsDir: dir,
        pbxRecordingsDir: dir,
        policyTimeoutMs: 1000,
        tiers: { standardDays: 180, extendedYears: 7 },
        session: { ...HARNESS_SESSION, finalizeGraceMs: 200 },
      },
    });
    registry.start();
    writer.start();
    abort = new AbortController();
    await adapter.start(abort.signal);
    await until(() => sim.requests.some((r) => r.path === '/channels'), 5000, 'the connect sweep');
  });
  afterAll(() => removePrivateMariadbTemplate());
  afterEach(async () => {
    abort.abort();
    await adapter.stop();
    await registry.stop();
    await writer.stop();
    await sim.stop();
    await db.close();
    await mdb.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(journalDir, { recursive: true, force: true });
  });

  /** Three calls through the gate and to their hangup; how long each waited for continue. */
  async function threeCalls(): Promise<{ ids: string[]; gateMs: number[] }> {
    const ids: string[] = [];
    const gateMs: number[] = [];
    for (let i = 0; i < 3; i++) {
      const ch = sim.addChannel();
      const t0 = Date.now();
      sim.enterStasis(ch.id, ['gate', 'sales', 'answer']);
      await until(
        () => sim.requests.some((r) => r.path === `/channels/${ch.id}/continue` && r.status === 204),
        5000,
        'continue',
      );
      gateMs.push(Date.now() - t0);
      ids.push(ch.id);
    }
    await new Promise((r) => setTimeout(r, 100)); // recording confirmed (MIXMONITOR_FILENAME)
    for (const id of ids) sim.hangup(id);
    // Each call's outcome is in the journal (or the database) before the test goes on.
    const settled = () =>
      (fs.readFileSync(path.join(journalDir, 'callrec.journal'), 'utf8').match(/"settle":\{"to":"completed"/g) ?? [])
        .length;
    await until(() => settled() === 3, 5000, 'three outcomes journaled');
    return { ids, gateMs };
  }

  async function expectEachOnce(ids: string[]): Promise<void> {
    await until(() => writer.status().depth === 0, 20_000, 'the journal replayed');
    expect(await store.knex('calls').count({ n: '*' })).toEqual([{ n: 3 }]);
    for (const id of ids) {
      const call = await store.calls.findByPbxId('pbx1', id);
      expect(call).toMatchObject({ state: 'done', consentOutcome: 'announced' });
      expect(await store.recordings.forCall(call!.id)).toMatchObject([{ state: 'completed', durationMs: 1000 }]);
      const types = (await store.events.forCall(call!.id)).map((e) => e.type);
      expect(types).toEqual(expect.arrayContaining(['decided', 'released', 'started', 'hangup', 'completed']));
      expect(new Set(types).size).toBe(types.length);
    }
  }

  it('takes three calls through the gate while the database is frozen (SIGSTOP), and stores each once after SIGCONT', async () => {
    mdb.freeze();
    const frozenAt = Date.now();
    let thawed = false;
    try {
      const { ids, gateMs } = await threeCalls();
      for (const ms of gateMs) expect(ms).toBeLessThan(2000);
      expect(writer.status().depth).toBeGreaterThan(0);
      // CALLREC_TEST_DB_FREEZE_MS=10000 holds it frozen as long as the acceptance asks.
      await new Promise((r) => setTimeout(r, Number(process.env.CALLREC_TEST_DB_FREEZE_MS ?? 0)));
      mdb.thaw();
      thawed = true;
      const thawedAt = Date.now();
      await expectEachOnce(ids);
      if (process.env.CALLREC_TEST_LOG)
        log().info('figures', { frozenMs: thawedAt - frozenAt, gateMs, replayedMs: Date.now() - thawedAt });
    } finally {
      if (!thawed) mdb.thaw();
    }
  });

  it('gives a call journaled at the gate its row ids once replayed, so it can be listed and paused live', async () => {
    const ch = sim.addChannel();
    mdb.freeze();
    try {
      sim.enterStasis(ch.id, ['gate', 'sales', 'answer']);
      await until(
        () => sim.requests.some((r) => r.path === `/channels/${ch.id}/continue` && r.status === 204),
        5000,
        'continue',
      );
      // Not listed: no row id yet. The database's state goes with a failure: a row id here would
      // mean the frozen server answered, or another server did.
      expect({
        server: mdb.state(),
        listed: registry.list().filter((l) => l.pbxCallId === ch.id),
      }).toEqual({ server: 'stopped', listed: [] });
    } finally {
      mdb.thaw();
    }
    await until(() => writer.status().depth === 0, 20_000, 'the journal replayed');
    const call = (await store.calls.findByPbxId('pbx1', ch.id))!;
    await until(
      () => registry.list().some((l) => l.callId === call.id && l.recordingState === 'recording'),
      5000,
      'listed live',
    );
    expect(await registry.act(call.id, 'pause', 'test')).toMatchObject({
      ok: true,
      value: { recordingState: 'paused' },
    });
    await until(() => writer.status().depth === 0, 5000, 'the pause replayed');
    expect((await store.recordings.forCall(call.id))[0]).toMatchObject({ state: 'paused' });
    sim.hangup(ch.id);
    await until(async () => (await store.recordings.forCall(call.id))[0]?.state === 'completed', 10_000, 'completed');
    expect(await store.recordings.forCall(call.id)).toHaveLength(1);
  });

  it('stores once a call whose database froze mid-call (stored at the gate, settled through the journal)', async () => {
    const ch = sim.addChannel();
    sim.enterStasis(ch.id, ['gate', 'sales', 'answer']);
    await until(
      async () => {
        const c = await store.calls.findByPbxId('pbx1', ch.id);
        return c !== null && (await store.recordings.forCall(c.id))[0]?.state === 'recording';
      },
      5000,
      'recording',
    );
    mdb.freeze();
    try {
      sim.hangup(ch.id);
      // About 0.3 s (one 300 ms bound, then straight to the journal): the margin is for a loaded
      // 2-core box running the suite in parallel. A timeout shows what the journal settled.
      const journal = () => fs.readFileSync(path.join(journalDir, 'callrec.journal'), 'utf8');
      await until(
        () => (journal().match(/"settle":\{"to":"completed"/g) ?? []).length === 1,
        15_000,
        'outcome journaled',
      ).catch((x: unknown) => {
        throw new Error(
          `${String(x)}; settles journaled: ${
            journal()
              .match(/"settle":\{[^}]*\}/g)
              ?.join(' ') ?? 'none'
          }`,
        );
      });
    } finally {
      mdb.thaw();
    }
    await until(() => writer.status().depth === 0, 20_000, 'the journal replayed');
    const call = (await store.calls.findByPbxId('pbx1', ch.id))!;
    expect(call).toMatchObject({ state: 'done', consentOutcome: 'announced' });
    expect(await store.recordings.forCall(call.id)).toMatchObject([{ state: 'completed', durationMs: 1000 }]);
    const types = (await store.events.forCall(call.id)).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['decided', 'released', 'started', 'hangup', 'completed']));
    expect(new Set(types).size).toBe(types.length);
  });

  it('takes three calls through the gate while the database is killed (SIGKILL), and stores each once when it is back', async () => {
    await mdb.kill();
    const { ids, gateMs } = await threeCalls();
    for (const ms of gateMs) expect(ms).toBeLessThan(2000);
    expect(writer.status().depth).toBeGreaterThan(0);
    await mdb.launch();
    await expectEachOnce(ids);
  });
});
