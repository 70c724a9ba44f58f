// `callrec retention run` as cron and as an operator at a terminal run it: a real child process over
// a few thousand expired recordings. Before, a long purge printed nothing until it ended.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createStore, migrateLatest, openDb } from '../../controller/src/store';
import { insertDoneCall, recordingColumns } from '../helpers/recordings';

const ROOT = path.join(__dirname, '..', '..');
const DAY = 86_400_000;

/**
 * Migrated SQLite store with `n` expired recordings, seeded in one bulk insert. Their files are not
 * written (10,000 files took 8 s on a loaded box): each purge still claims, unlinks and tombstones.
 */
async function seed(n: number): Promise<{ env: Record<string, string>; root: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callrec-progress-'));
  const root = path.join(dir, 'rec');
  fs.mkdirSync(root);
  const url = `sqlite:${path.join(dir, 'db.sqlite3')}`;
  const db = openDb(url);
  try {
    await migrateLatest(db.knex);
    const callId = await insertDoneCall(createStore(db), new Date(Date.now() - 400 * DAY));
    const at = new Date(Date.now() - 200 * DAY);
    const rows = recordingColumns(callId, n, at, (i) => new Date(at.getTime() + 100 * DAY + i));
    await db.knex.batchInsert('recordings', rows, 500);
  } finally {
    await db.close();
  }
  return {
    root,
    env: {
      PATH: process.env.PATH ?? '',
      CALLREC_DB_URL: url,
      CALLREC_RECORDINGS_DIR: root,
      CALLREC_NODE: 'pbx1',
      CALLREC_LOG_LEVEL: 'warn',
      CALLREC_RETENTION_BATCH: '50',
    },
  };
}

interface Line {
  at: number;
  text: string;
}

/** Runs a shell command line (stdout and stderr in one pipe, in order, as in a cron log); each line with when it arrived. */
function sh(cmd: string, env: Record<string, string>): Promise<{ code: number | null; text: string; lines: Line[] }> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', `${cmd} 2>&1`], { cwd: ROOT, env });
    let text = '';
    const lines: Line[] = [];
    child.stdout.on('data', (b: Buffer) => {
      const at = Date.now();
      const before = text.split('\n').length - 1;
      text += b.toString();
      for (const l of text.split('\n').slice(before, -1)) lines.push({ at, text: l });
    });
    child.on('exit', (code) => resolve({ code, text, lines }));
  });
}

// The CLI from the TypeScript sources (no build needed), exactly as bin/callrec.js calls it.
const CALLREC = (args: string) =>
  `node -r ./scripts/swc-register.js -e "require('./controller/src/cli/main.ts').main(process.argv.slice(1)).then((c) => { process.exitCode = c; })" ${args}`;

describe('callrec retention run progress', () => {
  it('prints progress lines with counts off a terminal, and redraws a bar on one', async () => {
    // Long enough on a fast machine that the run goes on well after its first line (quiet for 1 s).
    const { env } = await seed(40_000);
    const piped = await sh(CALLREC('retention run --limit 30000'), env);
    expect(piped.code).toBe(0);
    const report = piped.lines.findIndex((l) => /cli finished .*purged 30000/.test(l.text));
    expect(report).toBeGreaterThan(0);
    const progress = piped.lines
      .slice(0, report)
      .filter((l) => /^retention run: \d+\/30000 recordings \(\d+%\), \d+\/s, \S+ left$/.test(l.text));
    expect(progress.length).toBeGreaterThanOrEqual(2);
    // Written as the run goes (a log shows how far a dead run got), not all at the end.
    expect((piped.lines[report] as Line).at - (progress[0] as Line).at).toBeGreaterThan(500);
    // eslint-disable-next-line no-control-regex -- the terminal's escape character is the point
    expect(piped.text).not.toMatch(/\r|\x1b\[/);

    const tty = await sh(`script -qfec ${JSON.stringify(CALLREC('retention run --limit 10000'))} /dev/null`, env);
    expect(tty.code).toBe(0);
    expect(tty.text).toMatch(/cli finished .*purged 10000/);
    // cli-progress redraws the line in place: carriage return or cursor moves between states.
    const frames = tty.text
      // eslint-disable-next-line no-control-regex -- the terminal's escape character is the point
      .split(/\r|\x1b\[\d*G/)
      .filter((f) => /retention run \[[^\]]*\] \d+% \d+\/10000 recordings/.test(f));
    expect(frames.length).toBeGreaterThanOrEqual(2);
  }, 60_000); // about 10 s alone; the whole suite on two shared cores has taken 3x
});
