// One shape, `callrec <noun> <verb>`: the older command names stay, the nouns reach the same code.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/cli';

describe('callrec <noun> <verb>', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callrec-nouns-'));
  const env = { CALLREC_DB_URL: `sqlite:${path.join(dir, 'db.sqlite3')}`, CALLREC_RECORDINGS_DIR: dir };
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs the same commands as the old names', async () => {
    expect((await runCli(['db', 'migrate'], env)).out[0]).toMatch(/^migrated /);
    const status = await runCli(['db', 'status'], env);
    expect(status.out).toEqual((await runCli(['migrate', 'status'], env)).out);
    expect(status.out[0]).toMatch(/^applied {2}/);
    const facts = ['--from', '+13105550100', '--to', '+12125550123', '--json'];
    expect((await runCli(['rules', 'explain', ...facts], env)).out).toEqual(
      (await runCli(['explain', ...facts], env)).out,
    );
    expect((await runCli(['rules', 'export'], env)).out).toEqual((await runCli(['flows', 'export'], env)).out);
  });

  it.each([
    [['db'], 2, 'err', /^callrec db: which verb\? use one of migrate, status, rollback$/],
    [['db', 'drop'], 2, 'err', /^callrec db: unknown verb "drop"; use one of migrate, status, rollback$/],
    [['rules', '--help'], 0, 'out', /^usage: callrec rules <explain, import, export> \[options\]/],
    [['retention', 'run', '--fast'], 2, 'err', /unknown option "--fast"; allowed: --dry-run, --limit N, --json$/],
    [
      ['help'],
      0,
      'out',
      /^ {2}db {9}migrate \(= migrate latest\), status \(= migrate status\), rollback \(= migrate down\)$/m,
    ],
  ] as const)('%j exits %i naming what is allowed', async (argv, code, stream, text) => {
    const r = await runCli([...argv], env);
    expect(r.code).toBe(code);
    expect(r[stream].join('\n')).toMatch(text);
  });
});
