// The watcher's recorder control: uuid_record mask + unmask over the inbound connection (two api
// round trips), callrec's EslSession vs a raw socket (the floor) vs modesl as shipped.
import net from 'node:net';
import esl from 'modesl';
import { encodeCommand, FrameParser } from '../../controller/src/pbx/freeswitch/esl/frame';
import { EslSession } from '../../controller/src/pbx/freeswitch/esl/session';
import { silentLogger } from '../../controller/src/util/logger';
import { startEslSim } from '../../test/helpers/freeswitch/esl-sim';
import { median } from '../stats';

const UUID = '30a4f971-e58d-4146-994a-f74d1e46669d';
const API = [
  `uuid_record ${UUID} mask /tmp/rec/main-${UUID}.wav`,
  `uuid_record ${UUID} unmask /tmp/rec/main-${UUID}.wav`,
];

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
  await new Promise<void>((r) => {
    authed = r;
  });
  return (cmd) =>
    new Promise<void>((r) => {
      waiting.push(r);
      sock.write(encodeCommand(`api ${cmd}`));
    });
}

function modeslApi(port: number): Promise<(cmd: string) => Promise<void>> {
  return new Promise((resolve) => {
    const conn = new esl.Connection('127.0.0.1', port, 'ClueCon', () =>
      resolve((cmd) => new Promise<void>((r) => conn.api(cmd, () => r()))),
    );
    conn.on('error', () => undefined);
  });
}

export async function benchRecorderPause(runs: number): Promise<void> {
  const sim = await startEslSim();
  const s = await EslSession.connect({
    host: '127.0.0.1',
    port: sim.port,
    password: 'ClueCon',
    logger: silentLogger(),
  });
  if (!s.ok) throw new Error(s.error.detail);
  const clients: Record<string, (cmd: string) => Promise<void>> = {
    'raw socket (floor)': await rawApi(sim.port),
    'callrec (EslSession)': async (cmd) => {
      await s.value.api(cmd);
    },
    'modesl as shipped': await modeslApi(sim.port),
  };
  const times = new Map<string, number[]>(Object.keys(clients).map((k) => [k, []]));
  for (let i = 0; i < runs + 3; i++) {
    for (const [name, call] of Object.entries(clients)) {
      const t0 = process.hrtime.bigint();
      for (const cmd of API) await call(cmd);
      if (i >= 3) times.get(name)?.push(Number(process.hrtime.bigint() - t0) / 1e6); // first runs warm the JIT
    }
  }
  const floor = median(times.get('raw socket (floor)') ?? []);
  console.log(`\nRecorder pause (uuid_record mask + unmask over inbound ESL, simulator), ${runs} runs each`);
  for (const [name, xs] of times)
    console.log(
      `  ${name.padEnd(22)} p50 ${median(xs).toFixed(2).padStart(8)} ms   ratio to floor ${(median(xs) / floor).toFixed(2)}x`,
    );
  s.value.close();
  await sim.close();
}
