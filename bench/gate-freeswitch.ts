// Gate latency over the FreeSWITCH outbound socket, from the switch connecting to the gate's
// `exit`. The switch (simulator, or a real FreeSWITCH with CALLREC_BENCH_ESL_HOST) hands calls at
// flow `bench`, applet `ringing`, whose rule records from ringing with an announcement: one
// playback, completed by the switch after a fixed delay. Rows:
//   raw socket (floor)  a bare net.Socket server sending the controller's own command sequence
//   callrec controller  FreeswitchAdapter + CallRegistry + SQLite store + policy (RulesService)
//   socket layer        callrec's GateServer alone, the same sequence
//   modesl as shipped   modesl's esl.Server (no NoDelay), the same sequence
// The sequence is logged from one controller call first; every row is checked to send it. The
// switch side runs in its own thread, as FreeSWITCH is its own process (BENCH_SWITCH_IN_PROCESS=1
// puts it on the gates' event loop).
// Run: npm run bench:gate:freeswitch  [BENCH_RUNS=10 BENCH_SEQ=20 BENCH_WAVES=2 BENCH_PLAYBACK_MS=20]
//      CALLREC_BENCH_ESL_HOST=127.0.0.1 [CALLREC_BENCH_ESL_PORT=8021 CALLREC_BENCH_ESL_PASSWORD=ClueCon]
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RulesService } from '../controller/src/policy/service';
import { driveOutbound, type DriveResult } from '../test/helpers/freeswitch/esl-outbound-driver';
import { startFsHarness, type FsHarness } from '../test/helpers/freeswitch/gate-harness';
import { until, writeWav } from '../test/helpers/call-harness';
import { SETTINGS } from '../test/helpers/rules';
import { benchRecorderPause } from './freeswitch/pause';
import { modeslGate, rawGate, socketLayerGate, type BenchGate, type Script } from './freeswitch/gates';
import { describeSteps, shape, toSteps } from './freeswitch/script';
import { GATE_VARS, type SwitchConfig } from './freeswitch/placers';
import { startSwitch, type BenchSwitch } from './freeswitch/switch';
import { median, quantile } from './stats';
import { printSummary } from './summary';

const env = (name: string, dflt: number): number => Number(process.env[name] ?? dflt);
const RUNS = env('BENCH_RUNS', 10);
const SEQ = env('BENCH_SEQ', 20);
const WAVES = env('BENCH_WAVES', 2);
const PLAYBACK_MS = env('BENCH_PLAYBACK_MS', 20);
const REAL = process.env.CALLREC_BENCH_ESL_HOST;

interface Row {
  name: string;
  gate: BenchGate;
  watched: boolean;
  seq: number[][];
  conc: number[][];
  lost: number;
}

const eslTarget = (host: string) => ({
  host,
  port: env('CALLREC_BENCH_ESL_PORT', 8021),
  password: process.env.CALLREC_BENCH_ESL_PASSWORD ?? 'ClueCon',
});

/** The controller under test, deciding through the rules in its own store as `callrec start` does. */
async function controller(soundsDir: string | undefined): Promise<FsHarness> {
  const esl = REAL ? eslTarget(REAL) : undefined;
  let rules: RulesService | undefined;
  const h = await startFsHarness({
    ...(esl ? { esl } : {}),
    ...(soundsDir ? { soundsDir } : {}),
    rules: (store) => (rules = new RulesService(store.rules, SETTINGS)),
  });
  await h.store.rules.putFlow(GATE_VARS.callrec_flow, {
    applets: { [GATE_VARS.callrec_applet]: { kind: 'dial', record: 'from-ringing', consent: 'announce' } },
  });
  await rules?.engine(); // loaded, as `callrec start` loads them before its first call
  return h;
}

/** One simulated call through a gate, with the commands it sent; the controller is told it ended. */
async function logCall(h: FsHarness, port: number): Promise<DriveResult> {
  const uuid = crypto.randomUUID();
  const r = await driveOutbound({ port, uuid, variables: GATE_VARS, playbackMs: PLAYBACK_MS, timeoutMs: 5000 });
  h.registry.dispatch({ type: 'CallGone', callId: uuid, at: new Date() });
  return r;
}

async function calls(sw: BenchSwitch, row: Row, n: number): Promise<number[]> {
  const results = await sw.place(row.gate.port, n);
  // Only the controller follows calls after its gate (the others never see the watcher).
  if (row.watched) sw.hangup(results.map((r) => r.uuid));
  row.lost += results.filter((r) => !r.exited).length;
  return results.filter((r) => r.exited).map((r) => r.ms);
}

async function oneRun(sw: BenchSwitch, rows: Row[], h: FsHarness): Promise<void> {
  const seq = new Map<Row, number[]>(rows.map((r) => [r, []]));
  const conc = new Map<Row, number[]>(rows.map((r) => [r, []]));
  // Rows take turns call by call (and wave by wave), so a busy moment of the box hits them all.
  for (let i = 0; i < SEQ; i++) for (const row of rows) seq.get(row)?.push(...(await calls(sw, row, 1)));
  for (let w = 0; w < WAVES; w++) {
    for (const row of rows) {
      conc.get(row)?.push(...(await calls(sw, row, sw.concurrency)));
      // Let the controller finish the calls that hung up before the next row's wave.
      await until(() => h.registry.list().length === 0, 10_000, 'the controller to settle its calls');
    }
  }
  for (const row of rows) {
    row.seq.push(seq.get(row) ?? []);
    row.conc.push(conc.get(row) ?? []);
  }
}

function report(sw: BenchSwitch, rows: Row[]): void {
  const [floor] = rows;
  if (!floor) return;
  const p = (xs: number[], q: number) => quantile(xs, q);
  const col = (v: number) => v.toFixed(2).padStart(8);
  console.log(`\nFreeSWITCH gate, switch connects -> gate's exit (ms), ${sw.label}`);
  console.log(
    `medians over ${RUNS} runs; a run = ${SEQ} calls 1 at a time + ${WAVES} waves of ${sw.concurrency} concurrent per row`,
  );
  const w = Math.max(...rows.map((r) => r.name.length)) + 1;
  console.log(`${''.padEnd(w)}${'1 at a time'.padStart(26)}${`${sw.concurrency} concurrent`.padStart(27)}`);
  console.log(`${'row'.padEnd(w)}     p50      p99   ratio      p50      p99   ratio   lost`);
  for (const row of rows) {
    const cells = (runs: number[][], floorRuns: number[][]) => {
      const p50 = median(runs.map((xs) => p(xs, 0.5)));
      const p99 = median(runs.map((xs) => p(xs, 0.99)));
      const ratio = median(runs.map((xs, i) => p(xs, 0.5) / p(floorRuns[i] ?? [], 0.5)));
      return `${col(p50)} ${col(p99)} ${`${ratio.toFixed(2)}x`.padStart(7)}`;
    };
    console.log(
      `${row.name.padEnd(w)}${cells(row.seq, floor.seq)} ${cells(row.conc, floor.conc)} ${String(row.lost).padStart(6)}`,
    );
  }
  console.log(
    'ratio = median over runs of (row p50 / floor p50 in the same run); target for the controller <= 1.2x at 20 concurrent (issue 23), 0 lost',
  );
  const ours = rows.find((r) => r.name.startsWith('callrec controller'));
  if (!ours) return;
  const ratio = median(ours.conc.map((xs, i) => p(xs, 0.5) / p(floor.conc[i] ?? [], 0.5)));
  const value = median(ours.conc.map((xs) => p(xs, 0.5)));
  const fl = median(floor.conc.map((xs) => p(xs, 0.5)));
  const figure = `FreeSWITCH gate p50, ${sw.concurrency} concurrent (${sw.label.split(' ')[0]})`;
  const row = { figure, value, floor: fl, ratio, target: '<= 1.2x', pass: ratio <= 1.2 && ours.lost === 0 };
  printSummary('gate:freeswitch', [row]);
}

/** A short announcement the real switch can play (the simulator only needs the name). */
function shortSounds(): string | undefined {
  if (!REAL) return undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callrec-bench-sounds-'));
  writeWav(path.join(dir, 'en', 'callrec', 'announce.wav'), PLAYBACK_MS / 1000);
  return dir;
}

async function benchGate(): Promise<void> {
  const sounds = shortSounds();
  const h = await controller(sounds);
  const config: SwitchConfig = REAL ? { kind: 'real', ...eslTarget(REAL) } : { kind: 'sim', playbackMs: PLAYBACK_MS };
  const sw = await startSwitch(config, h.sim, process.env.BENCH_SWITCH_IN_PROCESS === '1');
  const logged = await logCall(h, h.gatePort);
  if (!logged.exited) throw new Error(`the controller did not exit: ${JSON.stringify(logged.commands)}`);
  const script: Script = {
    subscribe: logged.commands.find((c) => c.startsWith('event ')) ?? 'event json CHANNEL_EXECUTE_COMPLETE DTMF',
    steps: toSteps(logged.apps),
  };
  console.log(`controller's sequence: connect -> ${script.subscribe} -> ${describeSteps(script.steps)} -> exit`);
  const row = (name: string, gate: BenchGate): Row => ({
    name,
    gate,
    watched: gate.port === h.gatePort,
    seq: [],
    conc: [],
    lost: 0,
  });
  const rows: Row[] = [
    row('raw socket (floor)', await rawGate(script)),
    row('callrec controller (FreeswitchAdapter + CallRegistry + SQLite store + policy)', {
      port: h.gatePort,
      close: async () => undefined,
    }),
    row('callrec socket layer (GateServer)', await socketLayerGate(script)),
    row('modesl as shipped (esl.Server, no NoDelay)', await modeslGate(script)),
  ];
  for (const r of rows) {
    const run = await logCall(h, r.gate.port);
    if (!run.exited || shape(run.apps) !== shape(logged.apps))
      throw new Error(`${r.name} did not send the controller's sequence: ${shape(run.apps)}`);
  }
  for (const row of rows) await calls(sw, row, 3); // warm the JIT and the switch (counted in lost)
  for (let run = 0; run < RUNS; run++) await oneRun(sw, rows, h);
  report(sw, rows);
  for (const row of rows) await row.gate.close();
  await sw.close();
  await h.close();
  if (sounds) fs.rmSync(sounds, { recursive: true, force: true });
}

async function main(): Promise<void> {
  await benchGate();
  await benchRecorderPause(RUNS);
}

void main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
