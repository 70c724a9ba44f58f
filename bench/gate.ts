// Gate latency on the ARI simulator: StasisStart sent -> continue received, no prompt, for
//   - floor: a bare client that answers with `continue` only (the physical limit);
//   - 3-call floor: subscribe, one POST /variables, continue (the old gate's requests);
//   - callrec: adapter + registry + SQLite store + policy, with the dialplan taking the decision
//     in continue (its requests checked: continue, nothing else: the events websocket follows
//     every channel).
// Each on its own simulator, alternating wave by wave after a warm-up, one call at a time and 20
// at once. Run: npm run bench:gate [-- --rounds 200 --json]
import { AriSim } from '../test/helpers/asterisk/ari-sim';
import { decision, fixedEngine } from '../test/helpers/call-harness';
import { startHarness } from '../test/helpers/asterisk/gate-harness';
import { ariFloorClient, floorDecision } from './ari-floor';
import { median, quantile } from './stats';
import { numberArg } from './args';
import { printSummary, type SummaryRow } from './summary';

const arg = numberArg;
const ROUNDS = arg('rounds', 200);
const WARMUP = arg('warmup', 30);
const CONC = 20;
const TARGET = 1.3;

interface Lane {
  name: string;
  sim: AriSim;
  seq: number[];
  conc: number[];
  lost: number;
  /** The requests a gated call made, as first seen (checked equal on every call). */
  shape: string | null;
  close: () => Promise<void>;
  /** Waits for the lane's work after its calls (callrec's writes): not to be paid by the next lane. */
  settle?: () => Promise<void>;
}

const shapeOf = (sim: AriSim, id: string) =>
  sim.requests
    .filter((r) => r.path.includes(id) || r.query.eventSource === `channel:${id}`)
    .map((r) => `${r.method} ${r.path.replace(id, 'ID')}`)
    .join(', ');

/** StasisStart for `count` channels at once; their times to continue. */
async function wave(lane: Lane, count: number, keep: boolean): Promise<void> {
  const { sim } = lane;
  const chans = Array.from({ length: count }, () => sim.addChannel());
  const sent = new Map<string, number>();
  for (const ch of chans) {
    sent.set(ch.id, performance.now());
    sim.enterStasis(ch.id, ['gate', 'bench', 'ringing', '', '', '', '', '2']);
  }
  const pending = new Set(chans.map((c) => c.id));
  const deadline = Date.now() + 5000;
  while (pending.size > 0 && Date.now() < deadline) {
    await new Promise((r) => setImmediate(r));
    for (const r of sim.requests) {
      const id = /^\/channels\/([^/]+)\/continue$/.exec(r.path)?.[1];
      if (!id || !pending.has(id)) continue;
      pending.delete(id);
      if (keep) (count === 1 ? lane.seq : lane.conc).push(r.atPerf - (sent.get(id) ?? 0));
    }
  }
  await new Promise((r) => setTimeout(r, 2));
  for (const ch of chans) {
    const shape = shapeOf(sim, ch.id);
    lane.shape ??= shape;
    if (shape !== lane.shape) throw new Error(`${lane.name}: a call made ${shape}, not ${lane.shape}`);
    if (sim.channels.has(ch.id)) sim.hangup(ch.id);
  }
  if (keep) lane.lost += pending.size;
  sim.requests.length = 0;
  await lane.settle?.();
}

async function floorLane(name: string, mode: 'continue' | 'three'): Promise<Lane> {
  const sim = await AriSim.start();
  const close = await ariFloorClient({
    url: sim.url,
    user: 'callrec',
    password: 'secret',
    app: 'callrec',
    decide: floorDecision('/x', '+13105550100', '+12125550123'),
    mode,
  });
  return {
    name,
    sim,
    seq: [],
    conc: [],
    lost: 0,
    shape: null,
    close: async () => {
      close();
      await sim.stop();
    },
  };
}

async function main(): Promise<void> {
  const h = await startHarness({
    engine: fixedEngine({ ringing: decision({ record: 'from-ringing', consent: 'none', greeting: null }) }),
    decisionInContinue: true,
  });
  h.sim.onRecord = () => {};
  const lanes: Lane[] = [
    await floorLane('floor (continue only)', 'continue'),
    await floorLane('3-call floor', 'three'),
    {
      name: 'callrec',
      sim: h.sim,
      seq: [],
      conc: [],
      lost: 0,
      shape: null,
      close: () => h.close(),
      settle: () => h.registry.settled(),
    },
  ];
  for (let i = 0; i < WARMUP + ROUNDS; i++) for (const l of lanes) await wave(l, 1, i >= WARMUP);
  for (let i = 0; i < 5 + ROUNDS / 10; i++) for (const l of lanes) await wave(l, CONC, i >= 5);
  for (const l of lanes) await l.close();

  const [floor, three, ours] = lanes as [Lane, Lane, Lane];
  const rows: Array<Omit<SummaryRow, 'bench'>> = [];
  console.log(
    `Asterisk gate on the ARI simulator: StasisStart -> continue, ${ROUNDS} calls one at a time, ${ROUNDS} in waves of ${CONC}`,
  );
  for (const [label, pick] of [
    ['1 at a time', (l: Lane) => l.seq],
    [`${CONC} concurrent`, (l: Lane) => l.conc],
  ] as const) {
    for (const q of [0.5, 0.99]) {
      const f = quantile(pick(floor), q);
      const stat = q === 0.5 ? 'p50' : 'p99';
      for (const l of [three, ours]) {
        const v = quantile(pick(l), q);
        console.log(
          `  ${label.padEnd(14)} ${stat}  ${l.name.padEnd(14)} ${v.toFixed(3).padStart(7)} ms  floor ${f.toFixed(3).padStart(7)} ms  ${(v / f).toFixed(2)}x`,
        );
        if (l === ours)
          rows.push({
            figure: `Asterisk gate ${stat}, ${label} (sim)`,
            value: v,
            floor: f,
            ratio: v / f,
            target: `<= ${TARGET}x`,
            pass: v / f <= TARGET && ours.lost === 0,
          });
      }
    }
  }
  console.log(`  requests per call: floor [${floor.shape}]; callrec [${ours.shape}]; lost: ${ours.lost}`);
  console.log(
    `  median 1 at a time: floor ${median(floor.seq).toFixed(3)} ms, callrec ${median(ours.seq).toFixed(3)} ms`,
  );
  printSummary('gate', rows);
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
