// The shipped gate's dialplan keeps its steps and variables few: the controller's application
// follows every channel (subscribeAll), so Asterisk encodes each step and each variable set, and
// unset at Return, as an event on the queue the next call's StasisStart waits in. Measured on
// Asterisk 22.10.1 (docs/performance.md): 39 events of the gate's own per call before, 25 after
// (56 and 42 in all), and 20 calls at once went from 1.80x to 1.22x the continue-only floor.
import fs from 'node:fs';
import path from 'node:path';

const CONF = fs.readFileSync(path.join(__dirname, '../../dialplan/asterisk/extensions_callrec.conf'), 'utf8');

/** The priorities of `exten` in [callrec-gate], comments dropped. */
function priorities(exten: string): string[] {
  const start = CONF.indexOf('[callrec-gate]');
  const end = CONF.indexOf('\n[', start + 1);
  const lines = CONF.slice(start, end)
    .split('\n')
    .map((l) => l.replace(/^\s*;.*$/, '').trim())
    .filter((l) => l !== '');
  const out: string[] = [];
  let current: string | null = null;
  for (const l of lines) {
    const head = /^exten => ([^,]+),/.exec(l);
    if (head) current = head[1] ?? null;
    if (current === exten && (head || l.startsWith('same =>'))) out.push(l);
  }
  return out;
}

describe("the gate's dialplan, on a recorded call's path", () => {
  it('sets no LOCAL() variable before or after the Stasis: each is two events (set, unset at Return)', () => {
    const s = priorities('s');
    const onPath = s.slice(0, s.findIndex((l) => l.includes('(record)')) + 2);
    for (const l of [...onPath, ...priorities('_rec.'), ...priorities('skip')]) expect(l).not.toMatch(/LOCAL\(/);
  });

  it('takes at most 8 steps in s, 4 in a recording decision and 2 in skip', () => {
    expect(priorities('s').length).toBeLessThanOrEqual(8);
    expect(priorities('_rec.').length).toBeLessThanOrEqual(4);
    expect(priorities('skip').length).toBeLessThanOrEqual(2);
  });

  it('still sets every variable the controller and the admin read', () => {
    const all = [...priorities('s'), ...priorities('_rec.'), ...priorities('skip')].join('\n');
    for (const v of ['CALLREC_OPTIONS', 'CALLREC_FILE', 'CALLREC_DECIDED', 'CALLREC_ACTION', 'CALLREC_MIXMON_ID'])
      expect(all).toContain(v);
  });
});
