// npm run bench:soak [-- --seconds 300 --rate 100 --live 1000 --json --prof DIR --stall 20 --wait 300]
// `callrec start` (the compiled controller, its own process, SQLite store) over the ARI simulator:
// `rate` new calls a second, each live for live/rate seconds (so `live` calls at once), for
// `seconds`. Reports the controller's RSS and event-loop delay (its own, from bench/soak-probe.js),
// the gate (StasisStart -> continue) p50/p99, and calls lost: no continue, or no completed recording.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { simControllerEnv } from '../test/helpers/asterisk/controller-env';
import { parseRulesYaml } from '../controller/src/policy/flows-yaml';
import { shipped } from './launcher';
import { createStore, migrateLatest, openDb } from '../controller/src/store';
import { AriSim } from '../test/helpers/asterisk/ari-sim';
import { writeWav } from '../test/helpers/call-harness';
import { mergedQuantile, quantile } from './stats';
import { numberArg } from './args';
import { printSummary } from './summary';

const arg = numberArg;
const SECONDS = arg('seconds', 300);
const RATE = arg('rate', 100);
const LIVE = arg('live', 1000);
/** Stop waiting for recordings once none completed for this long (what is left is lost), or at most this. */
const STALL_MS = arg('stall', 20) * 1000;
const WAIT_MS = arg('wait', 300) * 1000;
/** A directory: the controller writes a CPU profile there (`--cpu-prof`) when it exits. */
const PROF = (() => {
  const i = process.argv.indexOf('--prof');
  return i > 0 ? path.resolve(process.argv[i + 1] ?? '.') : null;
})();
const ROOT = path.join(__dirname, '..');
const RULES = `
flows:
  soak:
    defaults: { record: from-answer, consent: none }
    applets:
      answer: { kind: dial, record: from-answer, consent: none }
`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Probe {
  at: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  spaces?: Record<string, number>;
  eldP99: number;
  eldMax: number;
  eldPct: Array<[number, number]>;
  eldCount: number;
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perf-soak-'));
  const sim = await AriSim.start();
  const wav = path.join(dir, 'one.wav');
  writeWav(wav, 0.1);
  // MixMonitor's file: a link to one short WAV, so 30,000 calls do not fill the disk.
  sim.onRecord = (_id, file) => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.copyFileSync(wav, file);
  };
  const sent = new Map<string, number>();
  const gate: number[] = [];
  const continued = new Set<string>();
  // The simulator logs every request; the soak keeps only the continues' times.
  sim.requests.push = (...rs) => {
    for (const r of rs) {
      const m = /^\/channels\/([^/]+)\/continue$/.exec(r.path);
      const t0 = m ? sent.get(m[1] ?? '') : undefined;
      if (m && t0 !== undefined && r.status === 204) {
        gate.push(r.atPerf - t0);
        continued.add(m[1] ?? '');
      }
      if (r.path === '/channels') swept = true;
    }
    return 0;
  };
  let swept = false;
  const dbUrl = `sqlite:${path.join(dir, 'db.sqlite3')}`;
  const db = openDb(dbUrl);
  await migrateLatest(db.knex);
  const parsed = parseRulesYaml(RULES, 'soak.yaml');
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  await createStore(db).rules.importDocument(parsed.doc);
  await db.close();

  const probeFile = path.join(dir, 'probe.jsonl');
  // SOAK_NODE_FLAGS (even empty) tries other flags, and the caller's environment other settings.
  const launcher = process.env.SOAK_NODE_FLAGS === undefined ? shipped() : null;
  const child = spawn(
    process.execPath,
    [
      ...(PROF ? ['--cpu-prof', '--cpu-prof-dir', PROF] : []),
      // The node flags `callrec` runs with (its first line), or SOAK_NODE_FLAGS to try others.
      ...(launcher?.flags ?? (process.env.SOAK_NODE_FLAGS ?? '').split(' ').filter(Boolean)),
      '--require',
      path.join(__dirname, 'soak-probe.js'),
      'bin/callrec.js',
      'start',
    ],
    {
      cwd: ROOT,
      env: {
        // Its environment too, over the caller's as the launcher does.
        ...process.env,
        ...launcher?.env,
        CALLREC_SOAK_PROBE: probeFile,
        ...(await simControllerEnv(sim, dir, dbUrl)),
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const probes = (): Probe[] =>
    fs.existsSync(probeFile)
      ? fs
          .readFileSync(probeFile, 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as Probe)
      : [];
  try {
    for (let i = 0; !swept; i++) {
      if (i > 300 || child.exitCode !== null) throw new Error('the controller did not connect to the simulator');
      await sleep(50);
    }
    await sleep(3000);
    const idle = probes().at(-1);
    if (process.env.SOAK_SNAPSHOT) child.kill('SIGUSR2');

    const holdMs = (LIVE / RATE) * 1000;
    // The simulator's own delay: when it lags, the controller's request timeouts are the bench's doing.
    const ownEld = monitorEventLoopDelay({ resolution: 10 });
    ownEld.enable();
    const started = performance.now();
    const ids: string[] = [];
    let live = 0;
    let peakLive = 0;
    const hangups: Array<Promise<void>> = [];
    // One new call every 1000/RATE ms, paced on the clock (a late tick starts the calls it owes).
    while (performance.now() - started < SECONDS * 1000) {
      const due = Math.floor(((performance.now() - started) / 1000) * RATE) - ids.length;
      for (let k = 0; k < due; k++) {
        const ch = sim.addChannel();
        ids.push(ch.id);
        sent.set(ch.id, performance.now());
        sim.enterStasis(ch.id, ['gate', 'soak', 'answer']);
        live++;
        peakLive = Math.max(peakLive, live);
        hangups.push(
          sleep(holdMs).then(() => {
            if (sim.channels.has(ch.id)) sim.hangup(ch.id);
            live--;
          }),
        );
      }
      await sleep(5);
    }
    await Promise.all(hangups);
    const ended = performance.now();
    const during = probes().filter((p) => p.at > Date.now() - (ended - started));

    // A recording not yet completed is a backlog while the count still moves; lost once it stops.
    const store = openDb(dbUrl);
    const countCompleted = async () =>
      Number(
        ((await store.knex('recordings').where({ state: 'completed' }).count({ n: '*' })) as Array<{ n: number }>)[0]
          ?.n,
      );
    let completed = 0;
    let at30: number | null = null;
    let movedAt = performance.now();
    for (;;) {
      const n = await countCompleted();
      if (n > completed) [completed, movedAt] = [n, performance.now()];
      const since = performance.now() - ended;
      if (at30 === null && since >= 30_000) at30 = completed;
      if (completed >= ids.length || performance.now() - movedAt > STALL_MS || since > WAIT_MS) break;
      await sleep(500);
    }
    const drainedS = (movedAt - ended) / 1000;
    // Why calls were not recorded, with the ids taken out: "SetDecision failed (timeout): ...".
    const why = new Map<string, number>();
    for (const r of (await store
      .knex('calls')
      .whereNot({ state: 'done' })
      .select('state', 'fallback_reason')) as Array<{ state: string; fallback_reason: string | null }>) {
      const k = `${r.state}: ${(r.fallback_reason ?? '').replace(/[\d.]{6,}/g, 'N').slice(0, 90)}`;
      why.set(k, (why.get(k) ?? 0) + 1);
    }
    await store.close();
    await sleep(3000);
    const after = probes().at(-1);
    if (process.env.SOAK_SNAPSHOT) {
      child.kill('SIGUSR2');
      await sleep(5000);
    }
    const notContinued = ids.length - continued.size;
    const lost = Math.max(notContinued, ids.length - completed);

    const mb = (b: number | undefined) => ((b ?? NaN) / 1048576).toFixed(1);
    const rss = Math.max(...during.map((p) => p.rss));
    const heapPeak = Math.max(...during.map((p) => p.heapUsed));
    const eldRun = mergedQuantile(
      during.map((p) => ({ pct: p.eldPct, count: p.eldCount })),
      0.99,
    );
    const eldMedianSecond = quantile(
      during.map((p) => p.eldP99),
      0.5,
    );
    const eldWorst = Math.max(...during.map((p) => p.eldP99));
    const [g50, g99] = [quantile(gate, 0.5), quantile(gate, 0.99)];
    const load = os.loadavg().map((l) => l.toFixed(2));
    console.log(
      `soak: ${ids.length} calls at ${RATE}/s over ${SECONDS} s, ${peakLive} live at peak; load ${load.join(' ')}`,
    );
    console.log(`controller RSS: idle ${mb(idle?.rss)} MB, peak ${mb(rss)} MB, after ${mb(after?.rss)} MB`);
    console.log(
      `controller heap used: idle ${mb(idle?.heapUsed)} MB, peak ${mb(heapPeak)} MB, after ${mb(after?.heapUsed)} MB`,
    );
    // At the RSS peak: what V8 holds for its heap, what Buffers and native objects hold, and the rest
    // (code, libraries, malloc arenas, SQLite's page cache).
    const atPeak = during.find((p) => p.rss === rss);
    if (atPeak)
      console.log(
        `controller at the RSS peak: heap committed ${mb(atPeak.heapTotal)} MB, external ${mb(atPeak.external)} MB, rest ${mb(atPeak.rss - atPeak.heapTotal - atPeak.external)} MB (idle: ${mb(idle?.heapTotal)} / ${mb(idle?.external)} / ${mb((idle?.rss ?? 0) - (idle?.heapTotal ?? 0) - (idle?.external ?? 0))} MB)`,
      );
    if (atPeak?.spaces)
      console.log(
        `controller heap spaces at the RSS peak (MB committed): ${Object.entries(atPeak.spaces)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}`,
      );
    console.log(
      `controller event-loop delay p99: run ${eldRun.toFixed(1)} ms, median second ${eldMedianSecond.toFixed(1)} ms, worst second ${eldWorst.toFixed(1)} ms`,
    );
    console.log(`gate p50 ${g50.toFixed(2)} ms, p99 ${g99.toFixed(2)} ms; not continued ${notContinued}`);
    console.log(
      `recordings completed: ${at30 ?? completed} 30 s after the last hang-up, ${completed} after ${drainedS.toFixed(1)} s; lost ${lost}`,
    );
    for (const [k, n] of why) console.log(`  ${n} calls ${k}`);
    console.log(`bench process (simulator) event-loop delay p99 ${(ownEld.percentile(99) / 1e6 - 10).toFixed(1)} ms`);
    printSummary('soak', [
      { figure: `RSS, ${peakLive} live calls, MB`, value: rss / 1048576, target: '< 150', pass: rss < 150 * 1048576 },
      { figure: 'event-loop delay p99, ms', value: eldRun, target: '< 20', pass: eldRun < 20 },
      { figure: 'soak gate p50, ms', value: g50 },
      { figure: 'soak gate p99, ms', value: g99 },
      { figure: 'recordings behind 30 s after the last call', value: ids.length - (at30 ?? completed) },
      { figure: 'calls lost', value: lost, target: '0', pass: lost === 0 },
    ]);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
    await sim.stop();
    if (!process.env.SOAK_SNAPSHOT) fs.rmSync(dir, { recursive: true, force: true });
    else console.log(`heap snapshots kept in ${dir}`);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
