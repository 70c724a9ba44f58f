// Gate latency on the ARI simulator: StasisStart sent -> continue received, no prompt, for
//   - floor: a bare client that answers with `continue` only (the physical limit);
//   - 3-call floor: subscribe, one POST /variables, continue (the old gate's requests);
//   - callrec: adapter + registry + SQLite store + the rules read through RulesService as
//     `callrec start` does, with the dialplan taking the decision in continue (its requests
//     checked: continue, nothing else: the events websocket follows every channel).
// Each lane runs in its own process with its own simulator, so one lane's leftover work (callrec's
// trailing writes, its garbage) is not paid by the next lane's calls; the lanes take turns wave by
// wave after a warm-up, one call at a time and 20 at once.
// Run: npm run bench:gate [-- --rounds 200 --json]
import { RulesService } from '../controller/src/policy/service';
import { AriSim } from '../test/helpers/asterisk/ari-sim';
import { startHarness } from '../test/helpers/asterisk/gate-harness';
import { SETTINGS } from '../test/helpers/rules';
import { ariFloorClient, floorDecision } from './ari-floor';
import { median, quantile } from './stats';
import { numberArg } from './args';
import { tuneAsStart } from './launcher';
import { forkLane, laneOf, serveLane } from './lanes';
import { printSummary, type SummaryRow } from './summary';

const arg = numberArg;
const ROUNDS = arg('rounds', 200);
const WARMUP = arg('warmup', 30);
const CONC = 20;
const TARGET = 1.3;
const KINDS = ['floor', 'floor3', 'callrec'] as const;
type Kind = (typeof KINDS)[number];
// New York to New York: one-party consent, so the rule records with nothing to play, as on the
// real-PBX bench.
const FROM = '2125550123';
const TO = '2125550102';
const NAMES: Record<Kind, string> = { floor: 'floor (continue only)', floor3: '3-call floor', callrec: 'callrec' };

/** A lane's side of one wave, as its process reports it. */
interface WaveResult {
  times: number[];
  lost: number;
  shape: string;
}

/** One lane in its own process: its simulator and its client, driven wave by wave. */
interface LaneRun {
  sim: AriSim;
  close: () => Promise<void>;
  /** Waits for the lane's work after its calls (callrec's writes) before the wave is reported. */
  settle?: () => Promise<void>;
}

/** The requests a call made: those naming its channel id as a path segment, or subscribing to it. */
const shapeOf = (sim: AriSim, id: string) =>
  sim.requests
    .filter((r) => r.path.split('/').includes(id) || r.query.eventSource === `channel:${id}`)
    .map(
      (r) =>
        `${r.method} ${r.path
          .split('/')
          .map((p) => (p === id ? 'ID' : p))
          .join('/')}`,
    )
    .join(', ');

/** StasisStart for `count` channels at once; their times to continue. */
async function wave(lane: LaneRun, count: number): Promise<WaveResult> {
  const { sim } = lane;
  const chans = Array.from({ length: count }, () => sim.addChannel({ caller: { name: '', number: FROM } }));
  const sent = new Map<string, number>();
  for (const ch of chans) {
    sent.set(ch.id, performance.now());
    sim.enterStasis(ch.id, ['gate', 'bench', 'ringing', '', '', '', TO, '2']);
  }
  const pending = new Set(chans.map((c) => c.id));
  const times: number[] = [];
  const deadline = Date.now() + 5000;
  while (pending.size > 0 && Date.now() < deadline) {
    await new Promise((r) => setImmediate(r));
    for (const r of sim.requests) {
      const id = /^\/channels\/([^/]+)\/continue$/.exec(r.path)?.[1];
      if (!id || !pending.has(id)) continue;
      pending.delete(id);
      times.push(r.atPerf - (sent.get(id) ?? 0));
    }
  }
  await new Promise((r) => setTimeout(r, 2));
  const shapes = new Set(chans.map((ch) => shapeOf(sim, ch.id)));
  if (shapes.size > 1) throw new Error(`calls of one wave made different requests: ${[...shapes].join(' | ')}`);
  for (const ch of chans) if (sim.channels.has(ch.id)) sim.hangup(ch.id);
  sim.requests.length = 0;
  await lane.settle?.();
  return { times, lost: pending.size, shape: [...shapes][0] ?? '' };
}

async function floorLane(mode: 'continue' | 'three'): Promise<LaneRun> {
  const sim = await AriSim.start();
  const close = await ariFloorClient({
    url: sim.url,
    user: 'callrec',
    password: 'secret',
    app: 'callrec',
    decide: floorDecision('/x', `+1${FROM}`, `+1${TO}`),
    mode,
  });
  return {
    sim,
    close: async () => {
      close();
      await sim.stop();
    },
  };
}

async function callrecLane(): Promise<LaneRun> {
  const stopTuning = tuneAsStart();
  let rules: RulesService | undefined;
  const h = await startHarness({
    rules: (store) => (rules = new RulesService(store.rules, SETTINGS)),
    decisionInContinue: true,
  });
  h.sim.onRecord = () => {};
  await h.store.rules.putFlow('bench', {
    applets: { ringing: { kind: 'dial', record: 'from-ringing', consent: 'none' } },
  });
  await rules?.engine(); // loaded, as `callrec start` loads them before its first call
  const close = async () => {
    stopTuning();
    await h.close();
  };
  return { sim: h.sim, close, settle: () => h.registry.settled() };
}

async function main(): Promise<void> {
  const lanes = await Promise.all(KINDS.map((k) => forkLane(k, {}, k === 'callrec')));
  const seq: Record<Kind, number[]> = { floor: [], floor3: [], callrec: [] };
  const conc: Record<Kind, number[]> = { floor: [], floor3: [], callrec: [] };
  const shapes: Partial<Record<Kind, string>> = {};
  let lost = 0;
  const turn = async (count: number, keep: boolean) => {
    for (const [i, kind] of KINDS.entries()) {
      const r = await lanes[i]!.ask<WaveResult>({ wave: count });
      shapes[kind] ??= r.shape;
      if (r.shape !== shapes[kind]) throw new Error(`${NAMES[kind]}: a call made ${r.shape}, not ${shapes[kind]}`);
      if (!keep) continue;
      (count === 1 ? seq : conc)[kind].push(...r.times);
      if (kind === 'callrec') lost += r.lost;
    }
  };
  for (let i = 0; i < WARMUP + ROUNDS; i++) await turn(1, i >= WARMUP);
  for (let i = 0; i < 5 + ROUNDS / 10; i++) await turn(CONC, i >= 5);
  await Promise.all(lanes.map((l) => l.close()));
  if (shapes.callrec !== 'POST /channels/ID/continue') throw new Error(`callrec's gate made ${shapes.callrec}`);

  const rows: Array<Omit<SummaryRow, 'bench'>> = [];
  console.log(
    `Asterisk gate on the ARI simulator: StasisStart -> continue, ${ROUNDS} calls one at a time, ${ROUNDS} in waves of ${CONC}, each lane in its own process`,
  );
  for (const [label, pick] of [
    ['1 at a time', seq],
    [`${CONC} concurrent`, conc],
  ] as const) {
    for (const q of [0.5, 0.99]) {
      const f = quantile(pick.floor, q);
      const stat = q === 0.5 ? 'p50' : 'p99';
      for (const kind of ['floor3', 'callrec'] as const) {
        const v = quantile(pick[kind], q);
        console.log(
          `  ${label.padEnd(14)} ${stat}  ${NAMES[kind].padEnd(14)} ${v.toFixed(3).padStart(7)} ms  floor ${f.toFixed(3).padStart(7)} ms  ${(v / f).toFixed(2)}x`,
        );
        if (kind === 'callrec')
          rows.push({
            figure: `Asterisk gate ${stat}, ${label} (sim)`,
            value: v,
            floor: f,
            ratio: v / f,
            target: `<= ${TARGET}x`,
            pass: v / f <= TARGET && lost === 0,
          });
      }
    }
  }
  console.log(`  requests per call: floor [${shapes.floor}]; callrec [${shapes.callrec}]; lost: ${lost}`);
  console.log(
    `  median 1 at a time: floor ${median(seq.floor).toFixed(3)} ms, callrec ${median(seq.callrec).toFixed(3)} ms`,
  );
  printSummary('gate', rows);
}

const lane = laneOf() as Kind | null;
const run = lane
  ? serveLane(
      () => (lane === 'callrec' ? callrecLane() : floorLane(lane === 'floor' ? 'continue' : 'three')),
      (l, m) => wave(l, Number(m.wave)),
      (l) => l.close(),
    )
  : main();
void run.catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
