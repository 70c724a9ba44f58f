// Gate latency on a real Asterisk: how long a call stays in Stasis at the gate, from AMI's
// Newexten events of the gated channel (Stasis, then the next dialplan step), for
//   - callrec: the whole controller (AsteriskAdapter + AMI MixMonitor control + CallRegistry +
//     SQLite store + policy): decision (record from ringing, no prompt), call row committed before
//     `continue`, through the installed callrec-gate dialplan;
//   - floor: a bare ARI client on its own app doing the same REST calls (subscribe, one
//     POST /variables, continue), nothing else.
// Local channels originated over AMI, one at a time, alternating. Needs `callrec install asterisk`
// done on that Asterisk (the callrec-gate context) and `timestampevents = yes` in manager.conf
// for the PBX's own clock (else the bench's receipt time is used, and says so).
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
import { ariFloorClient } from './ari-floor';
import { median, quantile } from './stats';

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
const RULES = 'flows:\n  bench:\n    applets:\n      gate: { kind: dial, record: from-ringing, consent: none }\n';

const p99 = (xs: readonly number[]): number => quantile(xs, 0.99);

async function main(): Promise<void> {
  if (!ARI) {
    console.log(
      'bench:gate:asterisk:pbx skipped: set CALLREC_BENCH_ARI_URL (and the ARI/AMI credentials) to run against a real Asterisk',
    );
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
    // CONNECTEDLINE: a New York number, so the policy keeps "no prompt" (an unknown party gets the strictest rule).
    ctl: [
      `Set(CALLREC_APP=${APP})`,
      'Set(CONNECTEDLINE(num)=2125550102)',
      'Gosub(callrec-gate,s,1(bench,gate))',
      'Hangup()',
    ],
    floor: [`Stasis(${FLOOR_APP},gate,bench,gate)`, 'NoOp(floor done)', 'Hangup()'],
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
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callrec-bench-ast-'));
  const cfg = loadConfig({
    CALLREC_NODE: 'bench',
    CALLREC_DB_URL: `sqlite:${path.join(dir, 'callrec.sqlite3')}`,
    CALLREC_RECORDINGS_DIR: dir,
    CALLREC_ARI_URL: ARI,
    CALLREC_ARI_USER: USER,
    CALLREC_ARI_PASSWORD: PASSWORD,
    CALLREC_ARI_APP: APP,
    CALLREC_AMI_HOST: AMI.host,
    CALLREC_AMI_PORT: String(AMI.port),
    CALLREC_AMI_USER: AMI.user,
    CALLREC_AMI_SECRET: AMI.secret,
  });
  cfg.http.port = 0;
  // BENCH_LOG=debug shows the controller's own log (timestamps per state change).
  const controller = await startController(
    cfg,
    env.BENCH_LOG ? createLogger({ level: 'debug', format: 'json' }) : silentLogger(),
  );
  const parsed = parseRulesYaml(RULES, 'bench.yaml');
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  await controller.store.rules.importDocument(parsed.doc);
  // The floor: a websocket and the same three REST calls per StasisStart.
  const closeFloor = await ariFloorClient({
    url: ARI ?? '',
    user: USER,
    password: PASSWORD,
    app: FLOOR_APP,
    file: '/tmp/callrec-bench-floor.wav',
  });
  await new Promise((r) => setTimeout(r, 500));
  const times: Record<string, number[]> = { floor: [], ctl: [] };
  let pbxClock = true;
  try {
    for (let i = 0; i < RUNS + 2; i++) {
      for (const exten of Object.keys(times)) {
        const from = newexten.length;
        await send('Originate', {
          Channel: `Local/${exten}@${CTX}/n`,
          CallerID: '"bench" <2125550123>',
          Application: 'Wait',
          Data: '1',
          Async: 'true',
        });
        const end = Date.now() + 5000;
        let ms: number | null = null;
        while (ms === null && Date.now() < end) {
          await new Promise((r) => setTimeout(r, 5));
          const seen = newexten.slice(from);
          const stasis = seen.find((e) => e.app === 'Stasis');
          const next = stasis && seen.find((e) => e.id === stasis.id && e.at >= stasis.at && e !== stasis);
          if (stasis && next) {
            ms = next.at - stasis.at;
            pbxClock &&= stasis.pbxClock;
          }
        }
        if (ms === null) throw new Error(`${exten}: the gate did not let go within 5 s`);
        if (i >= 2) times[exten]?.push(ms);
        await new Promise((r) => setTimeout(r, 1200));
      }
    }
  } finally {
    closeFloor();
    await controller.stop();
    ami.close('bench done');
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const floor = median(times.floor ?? []);
  console.log(
    `Asterisk gate on the real PBX (${ARI}), time in Stasis by ${pbxClock ? "the PBX's clock (AMI Timestamp)" : 'AMI receipt time (set timestampevents = yes for the PBX clock)'}, ${RUNS} calls each`,
  );
  for (const [name, xs] of Object.entries(times)) {
    console.log(
      `  ${(name === 'ctl' ? 'callrec' : 'floor').padEnd(8)} p50 ${median(xs).toFixed(2).padStart(8)} ms  p99 ${p99(xs).toFixed(2).padStart(8)} ms  ratio to floor ${(median(xs) / floor).toFixed(2)}x`,
    );
  }
}

void main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
