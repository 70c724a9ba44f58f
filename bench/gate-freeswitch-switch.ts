// Gate latency on a real FreeSWITCH: how long a call waits in `socket 127.0.0.1:<port> async full`,
// read from the switch's own CHANNEL_EXECUTE / CHANNEL_EXECUTE_COMPLETE timestamps of the socket
// app, for
//   - callrec: the whole controller (FreeswitchAdapter + CallRegistry + SQLite store + policy):
//     decision (record from ringing, no prompt), call row stored before the switch goes on,
//     variables set, record_session, exit;
//   - raw (the floor): a bare net.Socket server with TCP_NODELAY sending the same commands;
//   - modesl as shipped: modesl's esl.Server sending the same commands (no NoDelay).
// Calls are loopback pairs originated over ESL, one at a time, the three servers in turn.
// Run (skipped without a switch):
//   CALLREC_BENCH_ESL_HOST=127.0.0.1 CALLREC_BENCH_FS_CONF=/usr/local/freeswitch/conf \
//   CALLREC_BENCH_RECORDINGS=/usr/local/freeswitch/recordings npm run bench:gate:freeswitch:switch
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import esl from 'modesl';
import { loadConfig } from '../controller/src/config';
import { startController } from '../controller/src/main';
import { encodeCommand, FrameParser } from '../controller/src/pbx/freeswitch/esl/frame';
import { EslSession, type EslEvent } from '../controller/src/pbx/freeswitch/esl/session';
import { parseRulesYaml } from '../controller/src/policy/flows-yaml';
import { silentLogger } from '../controller/src/util/logger';
import { median, quantile } from './stats';
import { printSummary } from './summary';

const env = process.env;
const HOST = env.CALLREC_BENCH_ESL_HOST;
const PORT = Number(env.CALLREC_BENCH_ESL_PORT ?? 8021);
const PASSWORD = env.CALLREC_BENCH_ESL_PASSWORD ?? 'ClueCon';
const CONF = env.CALLREC_BENCH_FS_CONF ?? '/usr/local/freeswitch/conf';
// The bench writes into a directory of its own under CALLREC_BENCH_RECORDINGS and removes it.
const RECORDINGS = path.join(
  env.CALLREC_BENCH_RECORDINGS ?? '/usr/local/freeswitch/recordings',
  `callrec-bench-${process.pid}`,
);
const RUNS = Number(env.BENCH_RUNS ?? 30);
const CTX = 'callrec-bench';
const RULES = 'flows:\n  bench:\n    applets:\n      gate: { kind: dial, record: from-ringing, consent: none }\n';

/** The commands callrec's gate sends for this decision, in the same order and bursts. */
async function rawGate(sock: net.Socket): Promise<void> {
  const parser = new FrameParser();
  const replies: Array<Record<string, string>> = [];
  let wake: (() => void) | null = null;
  sock.on('data', (chunk) => {
    for (const f of parser.push(chunk)) if (f.headers['Content-Type'] === 'command/reply') replies.push(f.headers);
    wake?.();
  });
  const reply = async (): Promise<Record<string, string>> => {
    while (replies.length === 0)
      await new Promise<void>((r) => {
        wake = r;
      });
    wake = null;
    return replies.shift() as Record<string, string>;
  };
  sock.write(encodeCommand('connect'));
  const uuid = (await reply())['Unique-ID'] ?? '';
  sock.write(encodeCommand('event json CHANNEL_EXECUTE_COMPLETE DTMF'));
  await reply();
  const file = path.join(RECORDINGS, `bench-raw-${uuid}.wav`);
  const msg = (app: string, arg: string) =>
    encodeCommand(`sendmsg ${uuid}`, {
      'call-command': 'execute',
      'execute-app-name': app,
      'execute-app-arg': arg,
      'Event-UUID': crypto.randomUUID(),
    });
  const sets = ['callrec_action=record', `callrec_file=${file}`, 'callrec_call_id=1', 'callrec_decided=true'];
  sock.write(sets.map((s) => msg('set', s)).join(''));
  for (let i = 0; i < sets.length; i++) await reply();
  sock.write(msg('record_session', file));
  await reply();
  sock.write(encodeCommand('exit'));
}

function rawServer(): net.Server {
  return net.createServer((sock) => {
    sock.setNoDelay(true);
    sock.on('error', () => undefined);
    void rawGate(sock);
  });
}

/** modesl's esl.Server as shipped, on a listener of our own (given port 0 it falls back to 8022). */
async function modeslServer(): Promise<{ server: net.Server; close(): void }> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const ms = new esl.Server({ server }, () => undefined);
  ms.on('connection::ready', (conn) => {
    conn.on('error', () => undefined);
    const uuid = String(conn.getInfo()?.getHeader('Unique-ID') ?? '');
    const file = path.join(RECORDINGS, `bench-modesl-${uuid}.wav`);
    const exec = (app: string, arg: string) =>
      new Promise<void>((r) => {
        conn.execute(app, arg, () => r());
      });
    void (async () => {
      await Promise.all(
        ['callrec_action=record', `callrec_file=${file}`, 'callrec_call_id=1', 'callrec_decided=true'].map((s) =>
          exec('set', s),
        ),
      );
      await exec('record_session', file);
      conn.sendRecv('exit');
    })();
  });
  return {
    server,
    close: () => {
      server.close();
    },
  };
}

/**
 * A pass-through in front of a server: the conversation's length by our clock (the switch's event
 * clock moves in 20 ms frames), from the switch's connect to the socket closing.
 */
function timedProxy(target: number, out: number[]): net.Server {
  return net.createServer((c) => {
    const t0 = process.hrtime.bigint();
    const up = net.connect({ host: '127.0.0.1', port: target });
    for (const x of [c, up]) {
      x.setNoDelay(true);
      x.on('error', () => undefined);
    }
    c.pipe(up);
    up.pipe(c);
    if (env.BENCH_TRACE) {
      const at = () => (Number(process.hrtime.bigint() - t0) / 1e6).toFixed(2);
      c.on('data', (d: Buffer) =>
        console.log(`${target} ${at()} switch>  ${d.toString().split('\n')[0]} (${d.length} B)`),
      );
      up.on('data', (d: Buffer) =>
        console.log(`${target} ${at()} <server  ${d.toString().split('\n').slice(0, 3).join(' | ')} (${d.length} B)`),
      );
    }
    c.on('close', () => {
      out.push(Number(process.hrtime.bigint() - t0) / 1e6);
      up.destroy();
    });
  });
}

// Dialed numbers in New York like the caller's (one-party consent): the policy keeps "no prompt".
const DIALED: Record<string, string> = { raw: '2125550101', callrec: '2125550102', modesl: '2125550103' };

function context(ports: Record<string, number>): string {
  const ext = Object.entries(ports)
    .map(
      ([name, port]) => `
    <extension name="bench-${name}">
      <condition field="destination_number" expression="^${DIALED[name] ?? name}$">
        <action application="set" data="callrec_flow=bench"/>
        <action application="set" data="callrec_applet=gate"/>
        <action application="set" data="socket_resume=true"/>
        <action application="socket" data="127.0.0.1:${port} async full"/>
        <action application="hangup"/>
      </condition>
    </extension>`,
    )
    .join('');
  return `<include>\n  <context name="${CTX}">${ext}\n  </context>\n</include>\n`;
}

const p99 = (xs: readonly number[]): number => quantile(xs, 0.99);

async function main(): Promise<void> {
  if (!HOST) {
    console.log(
      'bench:gate:freeswitch:switch skipped: set CALLREC_BENCH_ESL_HOST (and CALLREC_BENCH_FS_CONF, CALLREC_BENCH_RECORDINGS) to run against a real FreeSWITCH',
    );
    printSummary('gate:freeswitch:switch', [{ figure: '(skipped: no CALLREC_BENCH_ESL_HOST)', value: null }]);
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callrec-bench-fs-'));
  fs.mkdirSync(RECORDINGS, { recursive: true });
  const cfg = loadConfig({
    CALLREC_NODE: 'bench',
    CALLREC_DB_URL: `sqlite:${path.join(dir, 'callrec.sqlite3')}`,
    CALLREC_RECORDINGS_DIR: RECORDINGS,
    CALLREC_PBX: 'freeswitch',
    CALLREC_ESL_HOST: HOST,
    CALLREC_ESL_PORT: String(PORT),
    CALLREC_ESL_PASSWORD: PASSWORD,
    CALLREC_ESL_LISTEN_PORT: env.CALLREC_BENCH_ESL_LISTEN_PORT ?? '18085',
  });
  cfg.http.port = 0;
  const controller = await startController(cfg, silentLogger());
  const parsed = parseRulesYaml(RULES, 'bench.yaml');
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  await controller.store.rules.importDocument(parsed.doc);
  const raw = rawServer();
  await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r));
  const ms = await modeslServer();
  const servers = {
    raw: (raw.address() as net.AddressInfo).port,
    callrec: cfg.esl.listenPort,
    modesl: (ms.server.address() as net.AddressInfo).port,
  };
  const conversation: Record<string, number[]> = { raw: [], callrec: [], modesl: [] };
  const proxies = Object.entries(servers).map(
    ([name, port]) => [name, timedProxy(port, conversation[name] ?? [])] as const,
  );
  for (const [, p] of proxies) await new Promise<void>((r) => p.listen(0, '127.0.0.1', r));
  const ports = Object.fromEntries(proxies.map(([name, p]) => [name, (p.address() as net.AddressInfo).port]));
  const itFile = path.join(CONF, 'dialplan', 'callrec-bench.xml');
  fs.writeFileSync(itFile, context(ports));
  const s = await EslSession.connect({ host: HOST, port: PORT, password: PASSWORD, logger: silentLogger() });
  if (!s.ok) throw new Error(s.error.detail);
  const esl1 = s.value;
  const started = new Map<string, number>();
  const done = new Map<string, number>();
  esl1.onEvent((e: EslEvent) => {
    if (e.headers.Application !== 'socket') return;
    const us = Number(e.headers['Event-Date-Timestamp']);
    (e.name === 'CHANNEL_EXECUTE' ? started : done).set(e.headers['Unique-ID'] ?? '', us);
  });
  await esl1.subscribe(['CHANNEL_EXECUTE', 'CHANNEL_EXECUTE_COMPLETE']);
  await esl1.api('reloadxml');
  const times: Record<string, number[]> = { raw: [], callrec: [], modesl: [] };
  try {
    for (let i = 0; i < RUNS + 2; i++) {
      for (const name of Object.keys(times)) {
        const r = await esl1.api(
          `originate {loopback_bowout=false,origination_caller_id_number=2125550123}loopback/${DIALED[name] ?? name}/${CTX} &park`,
          15000,
        );
        if (!r.ok) throw new Error(`originate ${name}: ${r.error.detail}`);
        const until = Date.now() + 5000;
        let ms1: number | null = null;
        while (ms1 === null && Date.now() < until) {
          await new Promise((res) => setTimeout(res, 5));
          for (const [uuid, t] of done)
            if (started.has(uuid)) {
              ms1 = (t - (started.get(uuid) ?? t)) / 1000;
              started.delete(uuid);
              done.delete(uuid);
            }
        }
        if (ms1 === null) throw new Error(`${name}: the socket app did not complete within 5 s`);
        if (i >= 2) times[name]?.push(ms1);
        else conversation[name]?.pop();
        await new Promise((res) => setTimeout(res, 100));
      }
    }
  } finally {
    fs.unlinkSync(itFile);
    await esl1.api('reloadxml');
    esl1.close();
    raw.close();
    ms.close();
    for (const [, p] of proxies) p.close();
    await controller.stop();
    fs.rmSync(RECORDINGS, { recursive: true, force: true });
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const print = (title: string, t: Record<string, number[]>): void => {
    const floor = median(t.raw ?? []);
    console.log(title);
    for (const [name, xs] of Object.entries(t)) {
      console.log(
        `  ${name.padEnd(8)} p50 ${median(xs).toFixed(2).padStart(8)} ms  p99 ${p99(xs).toFixed(2).padStart(8)} ms  ratio to raw ${(median(xs) / floor).toFixed(2)}x`,
      );
    }
  };
  print(
    `FreeSWITCH gate on the real switch (${HOST}), ${RUNS} calls each; time in the socket app by the switch's clock (20 ms frames):`,
    times,
  );
  print('the same calls, connect -> socket closed by our clock (through a pass-through proxy):', conversation);
  const [ours, floor] = [median(times.callrec ?? []), median(times.raw ?? [])];
  // The switch's clock moves in 20 ms frames: 1.00x means the same frames as the floor.
  const ratio = ours / floor;
  const row = { figure: "FreeSWITCH gate p50, the switch's clock (real switch)", value: ours, floor, ratio };
  printSummary('gate:freeswitch:switch', [{ ...row, target: '<= 1.0x', pass: ratio < 1.005 }]);
}

void main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
