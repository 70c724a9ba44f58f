// kill -9 of a real controller process at each step of a call on the ARI simulator, then a
// restart: each call reaches its right final state, and no row is written twice.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simControllerEnv } from '../helpers/asterisk/controller-env';
import { parseRulesYaml } from '../../controller/src/policy/flows-yaml';
import { createStore, migrateLatest, openDb, type Db, type Store } from '../../controller/src/store';
import { AriSim } from '../helpers/asterisk/ari-sim';
import { until, writeWav } from '../helpers/call-harness';
import { createMysqlDatabase } from '../helpers/db';
import { readJournalStatus } from '../../controller/src/store/journal-file';
import mysql from 'mysql2/promise';

const ROOT = path.join(__dirname, '../..');
const RULES = `
flows:
  it:
    defaults: { record: from-answer, consent: none }
    applets:
      answer: { kind: dial, record: from-answer, consent: announce }
`;

async function importRules(store: Store): Promise<void> {
  const parsed = parseRulesYaml(RULES, 'it.yaml');
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  await store.rules.importDocument(parsed.doc);
}

// Each case starts a controller process twice (it compiles itself as it starts) and waits on it.
jest.setTimeout(60_000);

describe('kill -9 of the controller at each step of a call, then a restart', () => {
  let dir: string;
  let sim: AriSim;
  let db: Db;
  let store: Store;
  let child: ChildProcess | null = null;
  let env: Record<string, string>;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callrec-kill-'));
    sim = await AriSim.start({ playbackMs: 30 });
    sim.onRecord = (_id, file) => writeWav(file, 2);
    env = {
      ...(await simControllerEnv(sim, dir, `sqlite:${path.join(dir, 'db.sqlite3')}`)),
      CALLREC_FALLBACK: 'announce-and-record',
    };
    db = openDb(env.CALLREC_DB_URL!);
    await migrateLatest(db.knex);
    store = createStore(db);
    await importRules(store);
  });
  afterEach(async () => {
    await kill9();
    await sim.stop();
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** `callrec start` in its own process; resolves once it has swept the PBX. */
  async function start(): Promise<void> {
    const sweeps = sim.requests.filter((r) => r.path === '/channels').length;
    child = spawn(
      process.execPath,
      [
        '-r',
        path.join(ROOT, 'scripts/swc-register.js'),
        '-e',
        "require('./controller/src/cli/main.ts').main(['start']).then((c) => { process.exitCode = c; })",
      ],
      { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] },
    );
    await until(
      () => sim.requests.filter((r) => r.path === '/channels').length > sweeps,
      15_000,
      'the controller swept the PBX',
    );
  }

  async function kill9(): Promise<void> {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await gone;
  }

  const continued = (id: string) => sim.requests.some((r) => r.path === `/channels/${id}/continue` && r.status === 204);
  const callOf = (id: string) => store.calls.findByPbxId('pbx1', id);
  /** An adopted call is followed, then asked for (GET /channels/{id}): its hangup will reach the controller. */
  const asked = (id: string) => sim.requests.some((r) => r.method === 'GET' && r.path === `/channels/${id}`);
  /** Waits for the call to be `done` with its one 2-second recording `completed`, each stored once. */
  async function expectCompletedOnce(id: string): Promise<void> {
    // The recording row settles a moment before the call row: wait for both.
    await until(
      async () => {
        const o = await expectOnce(id);
        return o.recordings[0]?.state === 'completed' && o.callState === 'done';
      },
      15_000,
      'completed and done',
    );
    expect(await expectOnce(id)).toMatchObject({
      callState: 'done',
      recordings: [{ state: 'completed', durationMs: 2000 }],
    });
  }
  /** A call through the gate of the `it` flow's `answer` applet, once its recording row says `recording`. */
  async function recordingCall(): Promise<ReturnType<typeof sim.addChannel>> {
    const ch = sim.addChannel();
    sim.enterStasis(ch.id, ['gate', 'it', 'answer']);
    // 20 s: a child controller compiling itself on a loaded 2-core box once took more than 10.
    await until(
      async () => {
        const c = await callOf(ch.id);
        return c !== null && (await store.recordings.forCall(c.id))[0]?.state === 'recording';
      },
      20_000,
      'recording',
    ).catch(async (e: unknown) => {
      const c = await callOf(ch.id);
      const seen = sim.requests.filter((r) => r.path.includes(ch.id) || r.query.eventSource === `channel:${ch.id}`);
      throw new Error(
        `${(e as Error).message}; call ${JSON.stringify(c?.state ?? null)} (${c?.fallbackReason ?? 'no fallback'}), recordings ${JSON.stringify(
          c ? (await store.recordings.forCall(c.id)).map((r) => r.state) : [],
        )}, requests ${JSON.stringify(seen.map((r) => `${r.method} ${r.path} ${r.status}`))}`,
      );
    });
    return ch;
  }

  async function expectOnce(
    id: string,
  ): Promise<{ callState: string; recordings: Array<{ state: string; durationMs: number | null }> }> {
    const rows = await store.knex('calls').where({ pbx_call_id: id }).select('id', 'state');
    expect(rows).toHaveLength(1);
    const recordings = await store.recordings.forCall(Number(rows[0].id));
    return { callState: String(rows[0].state), recordings };
  }

  it('in the gate, before continue: released at the restart, stored once, never left live', async () => {
    await start();
    sim.hang = (method, p) => method === 'POST' && p.includes('/play');
    const ch = sim.addChannel();
    sim.enterStasis(ch.id, ['gate', 'it', 'answer']);
    await until(async () => (await callOf(ch.id))?.state === 'consent', 10_000, 'stored in the gate');
    await kill9();
    sim.hang = () => false;
    await start();
    await until(() => continued(ch.id), 5000, 'released');
    sim.hangup(ch.id);
    await until(async () => (await callOf(ch.id))?.endedAt != null, 10_000, 'settled');
    const once = await expectOnce(ch.id);
    expect(once).toMatchObject({ callState: 'not_recorded', recordings: [] });
    expect((await callOf(ch.id))?.fallbackReason).toMatch(/gate at \(re\)connect/);
  });

  it('after continue, while recording: adopted at the restart and completed from its file after the hangup', async () => {
    await start();
    const ch = await recordingCall();
    await kill9();
    await start();
    await until(() => asked(ch.id), 5000, 'adopted');
    sim.hangup(ch.id);
    await expectCompletedOnce(ch.id);
  });

  // Issue 23: a recorded call's rows are written after continue. Killed in between, the restart
  // adopts the live recording. On MySQL: another connection's table lock holds the controller's
  // insert without freezing it (better-sqlite3 waits for a lock synchronously, process and all).
  it('after continue, before the rows are written: adopted at the restart, stored once, completed', async () => {
    const tdb = await createMysqlDatabase('callrec_kill');
    try {
      await db.close();
      db = openDb(tdb.url);
      await migrateLatest(db.knex);
      store = createStore(db);
      await importRules(store);
      env.CALLREC_DB_URL = tdb.url;
      await start();
      const lock = await mysql.createConnection(tdb.url);
      await lock.query('LOCK TABLES calls WRITE');
      // New York to New York: no consent to ask, so nothing is written before continue.
      const ch = sim.addChannel({ caller: { name: '', number: '2125550100' } });
      try {
        sim.enterStasis(ch.id, ['gate', 'it', 'plain', 'inbound', '', '', '2125550123']);
        await until(() => continued(ch.id), 5000, 'continue while the rows wait');
        await kill9();
      } finally {
        await lock.query('UNLOCK TABLES');
        await lock.end();
      }
      // Neither in the database nor in the journal: the call went on before its write.
      expect(await callOf(ch.id)).toBeNull();
      expect(readJournalStatus(env.CALLREC_JOURNAL_DIR!, 1 << 30).depth).toBe(0);
      await start();
      await until(() => asked(ch.id), 5000, 'adopted');
      await until(async () => (await callOf(ch.id)) !== null, 10_000, 'the adopted call row');
      sim.hangup(ch.id);
      await expectCompletedOnce(ch.id);
    } finally {
      await kill9();
      await db.close();
      await tdb.drop();
      db = openDb((env.CALLREC_DB_URL = `sqlite:${path.join(dir, 'db.sqlite3')}`));
    }
  });

  it('after the hangup, while finalizing: completed from its file at the restart', async () => {
    await start();
    const ch = await recordingCall();
    // Hung up, the channel not yet destroyed: the controller waits its finalize grace (5 s).
    sim.channelEvent(ch.id, 'ChannelHangupRequest', { cause: 16, soft: true });
    await until(async () => (await callOf(ch.id))?.state === 'finalizing', 5000, 'finalizing');
    await kill9();
    sim.channels.delete(ch.id); // gone while the controller was down
    await start();
    await expectCompletedOnce(ch.id);
  });
});
