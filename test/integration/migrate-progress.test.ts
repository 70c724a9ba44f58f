// `callrec migrate` on a big store can spend minutes in one migration: the log says which, before it starts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MIGRATIONS } from '../../migrations';
import { runCli } from '../helpers/cli';

it('callrec migrate says which migration it applies, one line each, before applying it', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callrec-migprog-'));
  try {
    const env = { CALLREC_DB_URL: `sqlite:${path.join(dir, 'db.sqlite3')}` };
    const r = await runCli(['migrate'], env);
    expect(r.code).toBe(0);
    const n = MIGRATIONS.length;
    expect(r.err.slice(0, n)).toEqual(
      MIGRATIONS.map(([name], i) =>
        expect.stringMatching(
          new RegExp(`^migrate: ${i}/${n} migrations \\(\\d+%\\), [\\d.]+/s, \\S+ left; applying ${name}$`),
        ),
      ),
    );
    // The closing 100% line only when the whole took over a second (the quiet first second).
    expect(r.err.slice(n)).toEqual(
      r.err.length > n ? [expect.stringMatching(new RegExp(`^migrate: ${n}/${n} migrations \\(100%\\), `))] : [],
    );
    expect(r.out).toEqual([
      expect.stringMatching(new RegExp(`^migrated .*: ${MIGRATIONS.map(([m]) => m).join(', ')}$`)),
    ]);
    // Nothing pending: no progress at all.
    expect(await runCli(['migrate'], env)).toMatchObject({
      code: 0,
      err: [],
      out: [expect.stringMatching(/is up to date$/)],
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
