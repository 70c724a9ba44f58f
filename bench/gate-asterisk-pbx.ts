// Gate latency on a real Asterisk: how long a call stays in Stasis at the gate, from AMI's
// Newexten events of the gated channel (Stasis, then the next dialplan step), for
//   - callrec: the whole controller (AsteriskAdapter + AMI MixMonitor control + CallRegistry +
//     SQLite store + policy): decision (record from ringing, no prompt), call row committed before
//     `continue`, through the installed callrec-gate dialplan;
//   - floor: a bare ARI client on its own app that answers StasisStart with `continue` only,
//     carrying the same decision (the PBX's own round trip: the physical limit);
//   - 3-call floor: the old gate's requests (subscribe, one POST /variables, continue).
// All three lanes' calls run the shipped callrec-gate dialplan and record after it.
// callrec plans files under the CALLREC_DIR the install wrote, so the decision rides in continue.
// Each lane runs in its own process (the controller as `callrec start` would, each floor client
// apart), so no lane's work, nor this watcher's parsing of every Newexten, runs on another's event
// loop. Local channels originated over AMI, one at a time, alternating. Needs `callrec install
// asterisk` done on that Asterisk (the callrec-gate context) and `timestampevents = yes` in
// manager.conf for the PBX's own clock (else the bench's receipt time is used, and says so).
// Run (skipped without a PBX):
//   CALLREC_BENCH_ARI_URL=http://127.0.0.1:8088 CALLREC_BENCH_ARI_USER=callrec CALLREC_BENCH_ARI_PASSWORD=... \
//   CALLREC_BENCH_AMI_USER=callrec CALLREC_BENCH_AMI_SECRET=... npm run bench:gate:asterisk:pbx
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../controller/src/config';
import { startController } from '../controller/src/main';
import { AmiSession } from '../controller/src/pbx/asterisk/ami/session';
import { parseRulesYaml } from '../controller/src/policy/flows-yaml';
import { createLogger, silentLogger } from '../controller/src/util/logger';
import { ariFloorClient, floorDecision } from './ari-floor';
import { tuneAsStart } from './launcher';
import { forkLane, laneOf, serveLane } from './lanes';
import { quantile } from './stats';
import { printSummary, type SummaryRow } from './summary';

const env = process.env;
const ARI = env.CALLREC_BENCH_ARI_URL;
const USER = env.CALLREC_BENCH_ARI_USER ?? 'callrec';
const PASSWORD = env.CALLREC_BENCH_ARI_PASSWORD ?? '';
const AMI = {
  host: env.CALLREC_BENCH_AMI_HOST ?? '127.0.0.1',
  port: Number(env.CALLREC_BENCH_AMI_PORT ?? 5038),
  user: env.CALLREC_BENCH_AMI_USER ?? 'callrec',
  secret: env.CALLREC_BENCH_AMI_SECRET ?? '',
};
const RUNS = Number(env.BENCH_RUNS ?? 30);
const CTX = 'callrec-bench';
const APP = 'callrec-bench';
const FLOOR_APP = 'callrec-bench-floor';
const FLOOR3_APP = 'callrec-bench-floor3';
const CONC = Number(env.BENCH_CONC ?? 20);
const RULES = 'flows:\n  bench:\n    applets:\n      gate: { kind: dial, record: from-ringing, consent: none }\n';

/**
 * Deletes the recordings this run's calls left under the PBX's root, and nothing else: the next
 * run's controller reconciles the whole root as it starts, and 40,000 files left by earlier runs
 * kept a core busy through the first minutes of a run (2026-11-25).
 */
function removeRecordings(root: string, ids: ReadonlySet<string>): void {
  if (!fs.existsSync(root)) return;
  for (const name of fs.readdirSync(root, { recursive: true, encoding: 'utf8' })) {
    const id = /-([^-/]+)\.wav$/.exec(name)?.[1];
    if (id && ids.has(id)) fs.rmSync(path.join(root, name), { force: true });
  }
}

async function main(): Promise<void> {
  if (!ARI) {
    console.log(
      'bench:gate:asterisk:pbx skipped: set CALLREC_BENCH_ARI_URL (and the ARI/AMI credentials) to run against a real Asterisk',
    );
    printSummary('gate:asterisk:pbx', [{ figure: '(skipped: no CALLREC_BENCH_ARI_URL)', value: null }]);
    return;
  }
  // callrec's AMI session, logged in for the dialplan class (the controller's own client takes call,user).
  const newexten: Array<{ id: string; app: string; at: number; pbxClock: boolean }> = [];
  const opened = await AmiSession.open(
    AMI,
    (m) => {
      if (m.Event !== 'Newexten') return;
      const ts = Number(m.Timestamp);
      newexten.push({
        id: m.Uniqueid ?? '',
        app: m.Application ?? '',
        at: ts > 0 ? ts * 1000 : performance.timeOrigin + performance.now(),
        pbxClock: ts > 0,
      });
    },
    5000,
    'dialplan',
  );
  if (!opened.ok) throw new Error(`AMI: ${opened.error}`);
  const ami = opened.value;
  const send = async (action: string, fields: Record<string, string>): Promise<void> => {
    const r = await ami.send(action, fields, 5000);
    if (!r.ok) throw new Error(`${action}: ${r.error.detail}`);
  };
  const steps: Record<string, string[]> = {
    // CALLREC_TO: a New York number dialed (the exten here is `ctl`), so the policy keeps "no prompt".
    ctl: [`Set(CALLREC_APP=${APP})`, 'Set(CALLREC_TO=2125550102)', 'Gosub(callrec-gate,s,1(bench,gate))', 'Hangup()'],
    // The floors' calls run the same shipped gate, in their own Stasis applications.
    floor: [
      `Set(CALLREC_APP=${FLOOR_APP})`,
      'Set(CALLREC_TO=2125550102)',
      'Gosub(callrec-gate,s,1(bench,gate))',
      'Hangup()',
    ],
    floor3: [
      `Set(CALLREC_APP=${FLOOR3_APP})`,
      'Set(CALLREC_TO=2125550102)',
      'Gosub(callrec-gate,s,1(bench,gate))',
      'Hangup()',
    ],
  };
  for (const [exten, apps] of Object.entries(steps)) {
    for (const [i, app] of apps.entries()) {
      const open = app.indexOf('(');
      await send('DialplanExtensionAdd', {
        Context: CTX,
        Extension: exten,
        Priority: String(i + 1),
        Application: app.slice(0, open),
        ApplicationData: app.slice(open + 1, -1),
        Replace: 'yes',
      });
    }
  }
  const pbxDir = await recordingsRoot();
  const laneEnv = { [ROOT_ENV]: pbxDir }; // read once here, not again by each lane
  const procs = {
    floor: await forkLane('floor', laneEnv),
    floor3: await forkLane('floor3', laneEnv),
    ctl: await forkLane('ctl', laneEnv, true),
  };
  await new Promise((r) => setTimeout(r, 500));
  const lanes = ['floor', 'floor3', 'ctl'] as const;
  const seq: Record<string, number[]> = { floor: [], floor3: [], ctl: [] };
  const conc: Record<string, number[]> = { floor: [], floor3: [], ctl: [] };
  let pbxClock = true;
  let events: EventCounts = { calls: 0, missing: {}, missed: 0 };
  /** Originates `n` calls to `exten` at once; each one's time in Stasis. */
  const wave = async (exten: string, n: number): Promise<number[]> => {
    const from = newexten.length;
    await Promise.all(
      Array.from({ length: n }, () =>
        send('Originate', {
          Channel: `Local/${exten}@${CTX}/n`,
          CallerID: '"bench" <2125550123>',
          Application: 'Wait',
          Data: '1',
          Async: 'true',
        }),
      ),
    );
    const end = Date.now() + 10000;
    for (;;) {
      await new Promise((r) => setTimeout(r, 5));
      const seen = newexten.slice(from);
      const stasis = seen.filter((e) => e.app === 'Stasis');
      const ms = stasis.flatMap((st) => {
        const next = seen.find((e) => e.id === st.id && e.at >= st.at && e !== st);
        return next ? [next.at - st.at] : [];
      });
      if (ms.length >= n) {
        pbxClock &&= stasis.every((e) => e.pbxClock);
        return ms;
      }
      if (Date.now() > end)
        throw new Error(`${exten}: ${n - ms.length} of ${n} calls did not leave the gate within 10 s`);
    }
  };
  try {
    for (let i = 0; i < RUNS + 3; i++)
      for (const l of lanes) {
        const ms = await wave(l, 1);
        if (i >= 3) seq[l]?.push(...ms);
        await new Promise((r) => setTimeout(r, 300));
      }
    for (let i = 0; i < Number(env.BENCH_WAVES ?? Math.max(3, Math.round(RUNS / 10))) + 1; i++)
      for (const l of lanes) {
        const ms = await wave(l, CONC);
        if (i >= 1) conc[l]?.push(...ms);
        await new Promise((r) => setTimeout(r, 1500));
      }
    await new Promise((r) => setTimeout(r, 3000));
  } finally {
    await procs.floor.close();
    await procs.floor3.close();
    events = await procs.ctl.close<EventCounts>();
    ami.close('bench done');
    removeRecordings(pbxDir, new Set(newexten.map((e) => e.id)));
  }
  console.log(
    `Asterisk gate on the real PBX (${ARI}), time in Stasis by ${pbxClock ? "the PBX's clock (AMI Timestamp)" : 'AMI receipt time (set timestampevents = yes for the PBX clock)'}: ${RUNS} calls one at a time, then waves of ${CONC}`,
  );
  const { calls, missing, missed } = events;
  console.log(
    `  events after the gate: ${calls} calls; without the recorder's ChannelVarset ${missing.RecordingStarted}, without the hangup request ${missing.CallHungUp}, without ChannelDestroyed ${missing.CallGone}`,
  );
  const rows: Array<Omit<SummaryRow, 'bench'>> = [
    { figure: 'Asterisk gate: calls with an event missed (real PBX)', value: missed, target: '0', pass: missed === 0 },
  ];
  const names: Record<string, string> = { floor: 'floor (continue only)', floor3: '3-call floor', ctl: 'callrec' };
  for (const [label, xs] of [
    ['1 at a time', seq],
    [`${CONC} concurrent`, conc],
  ] as const) {
    for (const [stat, q] of [
      ['p50', 0.5],
      ['p99', 0.99],
    ] as const) {
      const f = quantile(xs.floor ?? [], q);
      for (const l of ['floor', 'floor3', 'ctl']) {
        const v = quantile(xs[l] ?? [], q);
        console.log(
          `  ${label.padEnd(14)} ${stat}  ${(names[l] ?? l).padEnd(22)} ${v.toFixed(2).padStart(7)} ms  ${(v / f).toFixed(2)}x`,
        );
      }
      const v = quantile(xs.ctl ?? [], q);
      rows.push({
        figure: `Asterisk gate ${stat}, ${label} (real PBX)`,
        value: v,
        floor: f,
        ratio: v / f,
        target: '<= 1.3x',
        pass: v / f <= 1.3,
      });
    }
  }
  printSummary('gate:asterisk:pbx', rows);
}

/** The PBX's recordings root, as the installed dialplan names it: callrec plans its files there too. */
async function recordingsRoot(): Promise<string> {
  const global = await fetch(`${ARI}/ari/asterisk/variable?variable=CALLREC_DIR`, {
    headers: { authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}` },
  });
  const pbxDir = ((await global.json()) as { value?: string }).value ?? '';
  if (!pbxDir) throw new Error('CALLREC_DIR is not set on this Asterisk: run callrec install asterisk first');
  return pbxDir;
}

/** How the parent hands the PBX's recordings root to its lanes. */
const ROOT_ENV = 'CALLREC_BENCH_LANE_PBX_DIR';
const laneRoot = (): string => env[ROOT_ENV] ?? '';

/** Each gated call's events after the gate, as the controller received them. */
interface EventCounts {
  calls: number;
  missing: Partial<Record<'RecordingStarted' | 'CallHungUp' | 'CallGone', number>>;
  missed: number;
}

/** A floor lane: a bare ARI client on its own application, sending the decision callrec takes. */
async function floorLane(app: string, mode: 'continue' | 'three'): Promise<() => void> {
  // The floors send the decision callrec takes for these calls: record from ringing, mono, no beep.
  const decide = floorDecision(laneRoot(), '+12125550123', '+12125550102');
  return ariFloorClient({ url: ARI ?? '', user: USER, password: PASSWORD, decide, app, mode });
}

/** callrec's lane: the whole controller, as `callrec start` runs it (launcher.ts), in its own process. */
async function controllerLane(): Promise<{ stop(): Promise<EventCounts> }> {
  const pbxDir = laneRoot();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callrec-bench-ast-'));
  const cfg = loadConfig({
    CALLREC_NODE: 'bench',
    CALLREC_DB_URL: `sqlite:${path.join(dir, 'callrec.sqlite3')}`,
    CALLREC_RECORDINGS_DIR: fs.existsSync(pbxDir) ? pbxDir : dir,
    CALLREC_PBX_RECORDINGS_DIR: pbxDir,
    CALLREC_ARI_URL: ARI ?? '',
    CALLREC_ARI_USER: USER,
    CALLREC_ARI_PASSWORD: PASSWORD,
    CALLREC_ARI_APP: APP,
    CALLREC_AMI_HOST: AMI.host,
    CALLREC_AMI_PORT: String(AMI.port),
    CALLREC_AMI_USER: AMI.user,
    CALLREC_AMI_SECRET: AMI.secret,
  });
  cfg.http.port = 0;
  const stopTuning = tuneAsStart();
  // BENCH_LOG=debug shows the controller's own log (timestamps per state change).
  const controller = await startController(
    cfg,
    env.BENCH_LOG ? createLogger({ level: 'debug', format: 'json' }) : silentLogger(),
  );
  // Every gated call's events after the gate, as the controller received them: no subscription
  // may come too late (issue 23: no ChannelVarset or hangup missed).
  const seen = new Map<string, Set<string>>();
  controller.pbx.onEvent((e) => {
    if (e.type === 'GateEntered') seen.set(e.callId, new Set());
    seen.get(e.callId)?.add(e.type);
  });
  const parsed = parseRulesYaml(RULES, 'bench.yaml');
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  await controller.store.rules.importDocument(parsed.doc);
  return {
    stop: async () => {
      stopTuning();
      await controller.stop();
      fs.rmSync(dir, { recursive: true, force: true });
      const without = (type: string) => [...seen.values()].filter((t) => !t.has(type)).length;
      return {
        calls: seen.size,
        missing: {
          RecordingStarted: without('RecordingStarted'),
          CallHungUp: without('CallHungUp'),
          CallGone: without('CallGone'),
        },
        missed: [...seen.values()].filter((t) => !t.has('RecordingStarted') || !t.has('CallGone')).length,
      };
    },
  };
}

/** A lane's process: the floors answer StasisStarts until closed; the controller reports its events. */
function serveBenchLane(name: string): Promise<void> {
  if (name === 'ctl')
    return serveLane(
      controllerLane,
      async () => null,
      (l) => l.stop(),
    );
  return serveLane(
    () => (name === 'floor' ? floorLane(FLOOR_APP, 'continue') : floorLane(FLOOR3_APP, 'three')),
    async () => null,
    async (close) => close(),
  );
}

const lane = laneOf();
void (lane ? serveBenchLane(lane) : main().then(() => process.exit(0))).then(
  () => undefined,
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
