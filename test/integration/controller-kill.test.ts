// kill -9 of a real controller process at each step of a call on the ARI simulator, then a
// restart: each call reaches its right final state, and no row is written twice.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseRulesYaml } from '../../controller/src/policy/flows-yaml';
import { createStore, migrateLatest, openDb, type Db, type Store } from '../../controller/src/store';
import { AriSim } from '../helpers/asterisk/ari-sim';
import { until, writeWav } from '../helpers/call-harness';

const ROOT = path.join(__dirname, '../..');
const RULES = `
flows:
  it:
    defaults: { record: from-answer, consent: none }
    applets:
      answer: { kind: dial, record: from-answer, consent: announce }
`;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

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
      CALLREC_DB_URL: `sqlite:${path.join(dir, 'db.sqlite3')}`,
      CALLREC_RECORDINGS_DIR: path.join(dir, 'rec'),
      CALLREC_JOURNAL_DIR: path.join(dir, 'journal'),
      CALLREC_ARI_URL: sim.url,
      CALLREC_ARI_PASSWORD: 'secret',
      CALLREC_AMI_PORT: '2',
      CALLREC_NODE: 'pbx1',
      CALLREC_HTTP_PORT: String(await freePort()),
      CALLREC_LOG_LEVEL: 'error',
      CALLREC_RECONCILE_INTERVAL_S: '0',
      CALLREC_FALLBACK: 'announce-and-record',
    };
    db = openDb(env.CALLREC_DB_URL!);
    await migrateLatest(db.knex);
    store = createStore(db);
    const parsed = parseRulesYaml(RULES, 'it.yaml');
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    await store.rules.importDocument(parsed.doc);
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
    await until(
      async () => {
        const c = await callOf(ch.id);
        return c !== null && (await store.recordings.forCall(c.id))[0]?.state === 'recording';
      },
      10_000,
      'recording',
    );
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
    await until(() => sim.state(ch.id)?.subscribed === true, 5000, 'followed');
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
    await until(() => sim.state(ch.id)?.subscribed === true, 5000, 'adopted');
    sim.hangup(ch.id);
    await expectCompletedOnce(ch.id);
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
