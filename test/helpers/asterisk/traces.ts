// Reads the real Asterisk 22 traces in test/fixtures (never edited, never invented; see its README).
import fs from 'node:fs';
import path from 'node:path';
import { FIXTURES } from '../fixtures';

// Inside the checkout, so a plain clone runs the tests.
export const ASTERISK_FIXTURES = path.join(FIXTURES, 'asterisk-22');

export type TraceEvent = Record<string, unknown> & { type: string };

export function readTrace(name: string): TraceEvent[] {
  const text = fs.readFileSync(path.join(ASTERISK_FIXTURES, 'traces', name), 'utf8');
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as TraceEvent);
}

/** The first event of a type in a trace: a template for simulated events of that shape. */
export function templateOf(type: string, trace = 'q4-gate-subscribe-dtmf.callrec.jsonl'): TraceEvent {
  const e = readTrace(trace).find((x) => x.type === type);
  if (!e) throw new Error(`no ${type} in ${trace}`);
  return JSON.parse(JSON.stringify(e)) as TraceEvent;
}
