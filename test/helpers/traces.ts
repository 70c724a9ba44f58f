// Reads the real Asterisk 22 traces in ../shared/fixtures (never edited, never invented).
import fs from 'node:fs';
import path from 'node:path';

// The fixtures live in the shared folder next to the checkouts (/work/shared beside /work/main or
// /work/wt/<name>): look upwards for it.
function findFixtures(): string {
  if (process.env.CALLREC_FIXTURES) return process.env.CALLREC_FIXTURES;
  for (let dir = path.resolve(__dirname, '..'); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'shared', 'fixtures');
    if (fs.existsSync(path.join(candidate, 'asterisk-22'))) return candidate;
  }
  throw new Error('shared/fixtures not found above the checkout; set CALLREC_FIXTURES');
}

export const FIXTURES = findFixtures();
export const ASTERISK_FIXTURES = path.join(FIXTURES, 'asterisk-22');

export type TraceEvent = Record<string, unknown> & { type: string };

export function readTrace(name: string): TraceEvent[] {
  const text = fs.readFileSync(path.join(ASTERISK_FIXTURES, 'traces', name), 'utf8');
  return text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as TraceEvent);
}

/** The first event of a type in a trace: a template for simulated events of that shape. */
export function templateOf(type: string, trace = 'q4-gate-subscribe-dtmf.callrec.jsonl'): TraceEvent {
  const e = readTrace(trace).find((x) => x.type === type);
  if (!e) throw new Error(`no ${type} in ${trace}`);
  return JSON.parse(JSON.stringify(e)) as TraceEvent;
}
