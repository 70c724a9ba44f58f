// npm run bench:policy: decisions per second over 1,000 flows x 10 applets, one core.
// Floor: the same loop doing only what any policy must (a Map lookup of the applet rule), so the
// ratio says what the policy itself costs. Median of several runs; no assertions.
import { decide } from '../controller/src/policy/decide';
import { clearNumberMemo } from '../controller/src/policy/numbers';
import { RuleSetEngine } from '../controller/src/policy/service';
import type { CallFacts } from '../controller/src/policy/types';
import { facts, flow, ruleSet, SETTINGS } from '../test/helpers/rules';
import { printSummary } from './summary';

const FLOWS = 1000;
const APPLETS = 10;
const CALLS = 200_000;
const RUNS = 7;
const RECORD = ['off', 'from-ringing', 'from-answer', 'on-demand'] as const;
const CONSENT = ['none', 'announce', 'opt-out', 'opt-in'] as const;

const rules = ruleSet({
  flows: Array.from({ length: FLOWS }, (_, f) =>
    flow(
      `flow-${f}`,
      { record: 'from-answer', consent: 'announce' },
      Object.fromEntries(
        Array.from({ length: APPLETS }, (_, a) => [
          `applet-${a}`,
          { kind: 'dial', record: RECORD[(f + a) % 4], consent: CONSENT[(f * a) % 4] },
        ]),
      ),
      f % 97 !== 0,
    ),
  ),
});
const engine = new RuleSetEngine(rules, SETTINGS);

// 5,000 distinct callers (US states, UK, withheld) calling 100 DIDs; 3% of calls name a missing applet.
const callers = Array.from({ length: 5000 }, (_, i) =>
  i % 50 === 0
    ? 'anonymous'
    : i % 7 === 0
      ? `020 7946 ${String(i).padStart(4, '0')}`.replace(/^0/, '+44 ')
      : `(${[310, 212, 305, 415, 512][i % 5]}) 555-${String(i).padStart(4, '0')}`,
);
// Distinct callers are valid New York numbers (exchange 200-219): an exchange starting with 1 does
// not exist in the plan and would measure the "unreadable number" path instead.
function makeCalls(distinct: boolean): CallFacts[] {
  return Array.from({ length: CALLS }, (_, i) =>
    facts({
      flow: `flow-${(i * 7919) % FLOWS}`,
      applet: `applet-${i % 33 === 0 ? 99 : i % APPLETS}`,
      from: distinct ? `+1212${String(2000000 + i)}` : (callers[i % callers.length] ?? null),
      to: `+1646555${String(i % 100).padStart(4, '0')}`,
    }),
  );
}

function rate(calls: CallFacts[], fn: (c: CallFacts) => unknown): number {
  let sink = 0;
  const t0 = process.hrtime.bigint();
  for (const c of calls) if (fn(c)) sink += 1;
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (sink < 0) console.log(sink);
  return calls.length / s;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

function measure(label: string, calls: CallFacts[], fn: (c: CallFacts) => unknown, fresh: boolean): number {
  const runs: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    if (fresh) clearNumberMemo();
    runs.push(rate(calls, fn));
  }
  console.log(`${label.padEnd(58)} median ${fmt(median(runs)).padStart(11)} /s  (runs ${runs.map(fmt).join(', ')})`);
  return median(runs);
}

const repeat = makeCalls(false);
const distinct = makeCalls(true);
const floor = measure(
  'floor: Map lookup of flow + applet rule',
  repeat,
  (c) => rules.flows.get(c.flow ?? '')?.applets.get(c.applet ?? ''),
  false,
);
const warm = measure('engine.decide, 5,000 repeating callers, 100 DIDs', repeat, (c) => engine.decide(c), false);
const cold = measure(
  'engine.decide, every caller new (North American)',
  distinct,
  (c) => decide(c, rules, SETTINGS),
  true,
);
const intl = distinct.slice(0, 10000).map((c, i) => ({ ...c, from: `+44 20 7946 ${String(i).padStart(4, '0')}` }));
const coldIntl = measure(
  'engine.decide, every caller new (UK, full libphonenumber parse)',
  intl,
  (c) => decide(c, rules, SETTINGS),
  true,
);
console.log(
  `\n${FLOWS} flows x ${APPLETS} applets, ${CALLS.toLocaleString('en-US')} calls per run, ${RUNS} runs, node ${process.version}`,
);
console.log(
  `decisions/s: ${fmt(warm)} repeating callers (floor ratio ${(floor / warm).toFixed(1)}x), ${fmt(cold)} all-new North American callers (${(floor / cold).toFixed(1)}x), ${fmt(coldIntl)} all-new UK callers (${(floor / coldIntl).toFixed(1)}x)`,
);
printSummary('policy', [
  { figure: 'decisions/s, repeating callers', value: warm, floor, ratio: floor / warm },
  { figure: 'decisions/s, all-new North American callers', value: cold, floor, ratio: floor / cold },
  { figure: 'decisions/s, all-new UK callers', value: coldIntl, floor, ratio: floor / coldIntl },
]);
