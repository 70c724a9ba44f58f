// Gate latency over the FreeSWITCH outbound socket: the simulator plays the switch (connects like
// `socket ... async full`, replies with the captured frames) and each controller runs the gate's
// command sequence: connect, subscribe, answer, playback (wait for its completion), three `set`s,
// record_session, exit. Compared: callrec's GateServer, a raw net.Socket server doing the same
// (the floor), and modesl's esl.Server as shipped (no NoDelay: the ~42 ms stall per command).
// Run: npm run bench:gate:freeswitch  [BENCH_RUNS=30]
import net from 'node:net';
import esl from 'modesl';
import { encodeCommand, FrameParser, parseEventBody } from '../controller/src/pbx/freeswitch/esl/frame';
import { GateServer, type GateChannel } from '../controller/src/pbx/freeswitch/esl/outbound';
import { EslSession } from '../controller/src/pbx/freeswitch/esl/session';
import { startEslSim } from '../test/helpers/esl-sim';
import { silentLogger } from '../controller/src/util/logger';
import { driveOutbound } from '../test/helpers/esl-outbound-driver';

const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const FILE = '/tmp/rec/bench.wav';
const SETS = ['callrec_action=record', `callrec_file=${FILE}`, 'callrec_decided=true'];

async function ours(ch: GateChannel): Promise<void> {
  await ch.run('answer', '');
  await ch.run('playback', '/snd/en/callrec/announce.wav');
  await Promise.all(SETS.map((s) => ch.send('set', s)));
  await ch.send('record_session', FILE);
  await ch.exit();
}

/** The floor: one write per command, the smallest reply matching that still works. */
function rawServer(): net.Server {
  return net.createServer((sock) => {
    sock.setNoDelay(true);
    const parser = new FrameParser();
    type Item = { type: string; ev: Record<string, string> | null };
    // Frames that arrived before anyone waited for them (a reply and its completion share a packet).
    const inbox: Item[] = [];
    let waiter: ((f: Item) => boolean) | null = null;
    sock.on('data', (chunk) => {
      for (const f of parser.push(chunk)) {
        const type = f.headers['Content-Type'] ?? '';
        inbox.push({ type, ev: type === 'command/reply' && f.headers['Event-Name'] ? f.headers : parseEventBody(type, f.body) });
      }
      drain();
    });
    sock.on('error', () => undefined);
    const drain = (): void => {
      while (waiter && inbox.length > 0) {
        const item = inbox.shift() as Item;
        if (waiter(item)) waiter = null;
      }
    };
    const until = (pred: (f: Item) => boolean) => new Promise<Record<string, string> | null>((resolve) => {
      waiter = (f) => { if (!pred(f)) return false; resolve(f.ev); return true; };
      drain();
    });
    const reply = () => until((f) => f.type === 'command/reply');
    void (async () => {
      sock.write(encodeCommand('connect'));
      const data = await reply();
      const uuid = data?.['Unique-ID'] ?? '';
      sock.write(encodeCommand('event json CHANNEL_EXECUTE_COMPLETE DTMF'));
      await reply();
      let n = 0;
      const sendmsg = (app: string, arg: string, id: string) => encodeCommand(`sendmsg ${uuid}`, { 'call-command': 'execute', 'execute-app-name': app, 'execute-app-arg': arg, 'Event-UUID': id });
      const exec = async (app: string, arg: string, wait: boolean) => {
        const id = `raw-${++n}`;
        sock.write(sendmsg(app, arg, id));
        await reply();
        if (wait) await until((f) => f.ev?.['Application-UUID'] === id);
      };
      await exec('answer', '', true);
      await exec('playback', '/snd/en/callrec/announce.wav', true);
      sock.write(SETS.map((s) => sendmsg('set', s, `raw-${++n}`)).join(''));
      for (let i = 0; i < SETS.length; i++) await reply();
      await exec('record_session', FILE, false);
      sock.write(encodeCommand('exit'));
    })();
  });
}

function modeslServer(): Promise<esl.Server> {
  return new Promise((resolve) => {
    const server: esl.Server = new esl.Server({ port: 0, host: '127.0.0.1' }, () => resolve(server));
    server.on('connection::ready', (conn) => {
      conn.on('error', () => undefined);
      const exec = (app: string, arg: string) => new Promise<void>((r) => { conn.execute(app, arg, () => r()); });
      void (async () => {
        await exec('answer', '');
        await exec('playback', '/snd/en/callrec/announce.wav');
        await Promise.all(SETS.map((s) => exec('set', s)));
        await exec('record_session', FILE);
        conn.sendRecv('exit');
      })();
    });
  });
}

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)] ?? NaN; };
const portOf = (s: net.Server): number => (s.address() as net.AddressInfo).port;

// The watcher's recorder control: mask + unmask over the inbound connection (api round trips).
const UUID = '30a4f971-e58d-4146-994a-f74d1e46669d';
const API = [`uuid_record ${UUID} mask /tmp/rec/main-${UUID}.wav`, `uuid_record ${UUID} unmask /tmp/rec/main-${UUID}.wav`];

async function rawApi(port: number): Promise<(cmd: string) => Promise<void>> {
  const sock = net.connect({ host: '127.0.0.1', port });
  sock.setNoDelay(true);
  const parser = new FrameParser();
  const waiting: Array<() => void> = [];
  let authed: () => void = () => undefined;
  sock.on('data', (chunk) => {
    for (const f of parser.push(chunk)) {
      const t = f.headers['Content-Type'];
      if (t === 'auth/request') sock.write(encodeCommand('auth ClueCon'));
      else if (t === 'command/reply') authed();
      else if (t === 'api/response') waiting.shift()?.();
    }
  });
  await new Promise<void>((r) => { authed = r; });
  return (cmd) => new Promise<void>((r) => { waiting.push(r); sock.write(encodeCommand(`api ${cmd}`)); });
}

function modeslApi(port: number): Promise<(cmd: string) => Promise<void>> {
  return new Promise((resolve) => {
    const conn = new esl.Connection('127.0.0.1', port, 'ClueCon', () => resolve((cmd) => new Promise<void>((r) => conn.api(cmd, () => r()))));
    conn.on('error', () => undefined);
  });
}

async function benchApi(): Promise<void> {
  const sim = await startEslSim();
  const s = await EslSession.connect({ host: '127.0.0.1', port: sim.port, password: 'ClueCon', logger: silentLogger() });
  if (!s.ok) throw new Error(s.error.detail);
  const clients: Record<string, (cmd: string) => Promise<void>> = {
    raw: await rawApi(sim.port),
    callrec: async (cmd) => { await s.value.api(cmd); },
    'modesl as shipped': await modeslApi(sim.port),
  };
  const times: Record<string, number[]> = { raw: [], callrec: [], 'modesl as shipped': [] };
  for (let i = 0; i < RUNS + 3; i++) {
    for (const [name, call] of Object.entries(clients)) {
      const t0 = process.hrtime.bigint();
      for (const cmd of API) await call(cmd);
      if (i >= 3) times[name]?.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  }
  report(`Recorder pause (uuid_record mask + unmask over inbound ESL), ${RUNS} runs each`, times);
  s.value.close();
  await sim.close();
}

function report(title: string, times: Record<string, number[]>): void {
  const floor = median(times.raw ?? []);
  console.log(title);
  for (const [name, xs] of Object.entries(times)) {
    const p50 = median(xs);
    console.log(`  ${name.padEnd(18)} p50 ${p50.toFixed(2).padStart(8)} ms   ratio to raw ${(p50 / floor).toFixed(2)}x`);
  }
}

async function main(): Promise<void> {
  await benchGate();
  await benchApi();
}

async function benchGate(): Promise<void> {
  const gate = new GateServer({ host: '127.0.0.1', port: 0, logger: silentLogger(), onChannel: (ch) => { void ours(ch); } });
  const gp = await gate.listen();
  if (!gp.ok) throw new Error(gp.error);
  const raw = rawServer();
  await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r));
  const ms = await modeslServer();
  const targets = { raw: portOf(raw), callrec: gp.value, 'modesl as shipped': portOf(ms.server) };
  const times: Record<string, number[]> = { raw: [], callrec: [], 'modesl as shipped': [] };
  for (let i = 0; i < RUNS + 3; i++) {
    for (const [name, port] of Object.entries(targets)) {
      const run = await driveOutbound({ port, variables: { callrec_flow: 'bench', callrec_applet: 'dial' } });
      if (!run.exited) throw new Error(`${name}: the gate did not exit (${JSON.stringify(run.apps)})`);
      if (i >= 3) times[name]?.push(run.ms); // first runs warm the JIT
    }
  }
  report(`FreeSWITCH gate over the outbound socket (connect -> exit, 7 apps), ${RUNS} runs each, simulator on 127.0.0.1`, times);
  await gate.close();
  raw.close();
  ms.close();
}

void main().then(() => process.exit(0), (e: unknown) => { console.error(e); process.exit(1); });
