// A rules file with thousands of flows (one per DID on a hosted PBX) takes seconds to import
// (6,000 flows: about 3 s on SQLite here, after 1.2 s reading the YAML), and silence looks like a
// hang: `callrec flows import` says how far it got.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/cli';

it('callrec flows import of a large file reports progress by flow, then the summary', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callrec-flowsprog-'));
  try {
    const n = 6000;
    const flows = Array.from(
      { length: n },
      (_, i) =>
        `  did-${i}:\n    defaults:\n      record: from-answer\n    applets:\n      dial:\n        kind: dial\n        record: from-ringing\n`,
    );
    const file = path.join(dir, 'flows.yaml');
    fs.writeFileSync(file, `flows:\n${flows.join('')}`);
    // A clock that gains 2 ms at every reading: on a fast, idle machine the import can end within
    // the first (silent) second; the lines must not depend on how busy the machine is.
    const real = Date.now.bind(Date);
    let gained = 0;
    const clock = jest.spyOn(Date, 'now').mockImplementation(() => real() + (gained += 2));
    let r;
    try {
      r = await runCli(['flows', 'import', file], { CALLREC_DB_URL: `sqlite:${path.join(dir, 'db.sqlite3')}` });
    } finally {
      clock.mockRestore();
    }
    expect(r.code).toBe(0);
    const lines = r.err.filter((l) => /^flows import: \d+\/6000 flows \(\d+%\), [\d.]+\/s, \S+ left$/.test(l));
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.at(-1)).toMatch(/^flows import: 6000\/6000 flows \(100%\)/);
    expect(r.out).toEqual([expect.stringMatching(/^imported 6000 flows \(6000 applet rules\)/)]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
