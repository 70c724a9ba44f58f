// npm run bench: every bench in turn, then one table of figure, floor, ratio, target, pass/fail.
// Each bench run with --json ends with one line {"bench":..., "rows":[...]}; a bench that prints
// none yet gets a row saying so (the hook: print a BenchSummary line with --json).
import { spawnSync } from 'node:child_process';
import { parseSummaries, summaryTable } from './summary';

const BENCHES: Array<{ name: string; file: string; args: string[] }> = [
  { name: 'policy', file: 'bench/policy.ts', args: [] },
  { name: 'gate', file: 'bench/gate.ts', args: [] },
  { name: 'gate:asterisk:pbx', file: 'bench/gate-asterisk-pbx.ts', args: [] },
  { name: 'gate:freeswitch', file: 'bench/gate-freeswitch.ts', args: [] },
  { name: 'gate:freeswitch:switch', file: 'bench/gate-freeswitch-switch.ts', args: [] },
  { name: 'search', file: 'bench/search.ts', args: [] },
  { name: 'retention', file: 'bench/retention.ts', args: process.argv.includes('--quick') ? ['--rows', '100000'] : [] },
  { name: 'at-rest', file: 'bench/at-rest.ts', args: [] },
  { name: 'soak (short)', file: 'bench/soak.ts', args: ['--seconds', '30'] },
];

const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const rows = [];
for (const b of BENCHES) {
  if (only && !only.split(',').includes(b.name)) continue;
  console.log(`\n== ${b.name}`);
  const r = spawnSync(process.execPath, ['-r', './scripts/swc-register.js', b.file, ...b.args, '--json'], {
    cwd: `${__dirname}/..`,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  process.stdout.write(r.stdout ?? '');
  rows.push(...parseSummaries(b.name, r.stdout ?? '', r.status));
}
console.log(`\n${summaryTable(rows)}`);
process.exitCode = rows.some((r) => r.pass === false) ? 1 : 0;
