// Gate latency: StasisStart sent -> continue answered, no prompt, measured at the ARI simulator
// for callrec (adapter + registry + SQLite store + policy) and for a bare client that only makes
// the same REST calls (subscribe, one POST /variables, continue): the floor.
// Run: npm run bench:gate
import { AriSim } from '../test/helpers/asterisk/ari-sim';
import { decision, fixedEngine } from '../test/helpers/call-harness';
import { startHarness } from '../test/helpers/asterisk/gate-harness';
import { ariFloorClient } from './ari-floor';

const ROUNDS_SEQ = 200;
const CONC = 20;
const ROUNDS_CONC = 10;

interface Stats {
  n: number;
  p50: number;
  p99: number;
  lost: number;
}

function stats(xs: number[], lost: number): Stats {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
  return { n: s.length, p50: q(0.5), p99: q(0.99), lost };
}

/** Pushes StasisStart for `count` channels at once and waits for their continue. */
async function wave(sim: AriSim, count: number, applet: string): Promise<{ ms: number[]; lost: number }> {
  const chans = Array.from({ length: count }, () => sim.addChannel());
  const sent = new Map<string, number>();
  for (const ch of chans) {
    sent.set(ch.id, performance.now());
    sim.enterStasis(ch.id, ['gate', 'bench', applet]);
  }
  const deadline = Date.now() + 5000;
  const ms: number[] = [];
  const pending = new Set(chans.map((c) => c.id));
  while (pending.size > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1));
    for (const id of [...pending]) {
      const r = sim.requests.find((x) => x.path === `/channels/${id}/continue`);
      if (r) {
        ms.push(r.atPerf - sent.get(id)!);
        pending.delete(id);
      }
    }
  }
  for (const ch of chans) if (sim.channels.has(ch.id)) sim.hangup(ch.id);
  sim.requests.length = 0;
  return { ms, lost: pending.size };
}

async function run(sim: AriSim, label: string): Promise<{ seq: Stats; conc: Stats }> {
  const seq: number[] = [];
  let lostSeq = 0;
  for (let i = 0; i < ROUNDS_SEQ; i++) {
    const w = await wave(sim, 1, 'ringing');
    seq.push(...w.ms);
    lostSeq += w.lost;
  }
  const conc: number[] = [];
  let lostConc = 0;
  for (let i = 0; i < ROUNDS_CONC; i++) {
    const w = await wave(sim, CONC, 'ringing');
    conc.push(...w.ms);
    lostConc += w.lost;
  }
  void label;
  return { seq: stats(seq, lostSeq), conc: stats(conc, lostConc) };
}

async function main(): Promise<void> {
  const floorSim = await AriSim.start();
  // The floor: a websocket and three REST calls per StasisStart, nothing else.
  const closeBare = await ariFloorClient({
    url: floorSim.url,
    user: 'callrec',
    password: 'secret',
    app: 'callrec',
    file: '/x.wav',
  });
  const floor = await run(floorSim, 'floor');
  closeBare();
  await floorSim.stop();

  const h = await startHarness({
    engine: fixedEngine({ ringing: decision({ record: 'from-ringing', consent: 'none', greeting: null }) }),
  });
  h.sim.onRecord = () => {};
  const ours = await run(h.sim, 'callrec');
  await h.close();

  const line = (name: string, s: Stats) =>
    `${name.padEnd(26)} n=${String(s.n).padStart(4)}  p50=${s.p50.toFixed(2).padStart(7)} ms  p99=${s.p99.toFixed(2).padStart(7)} ms  lost=${s.lost}`;
  console.log('gate latency, StasisStart -> continue answered (ARI simulator, no prompt)');
  console.log(line('floor, 1 at a time', floor.seq));
  console.log(line('callrec, 1 at a time', ours.seq));
  console.log(line(`floor, ${CONC} concurrent`, floor.conc));
  console.log(line(`callrec, ${CONC} concurrent`, ours.conc));
  console.log(
    `ratio p50 callrec/floor: 1 at a time ${(ours.seq.p50 / floor.seq.p50).toFixed(2)}x, ${CONC} concurrent ${(ours.conc.p50 / floor.conc.p50).toFixed(2)}x (target <= 1.5x, no call lost)`,
  );
  if (process.env.CALLREC_IT_ARI_URL)
    console.log('CALLREC_IT_ARI_URL is set, but the real-Asterisk run of this bench is not written yet.');
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
