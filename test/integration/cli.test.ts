import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDb, MYSQL_ROOT_URL, STORE_KINDS } from '../helpers/db';
import { runCli } from '../helpers/cli';
import { writeWav } from '../helpers/call-harness';
import { JournalFile } from '../../controller/src/store/journal-file';
import { MIGRATIONS } from '../../migrations';

const NAMES = MIGRATIONS.map(([name]) => name);

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'callrec-cli-'));
// Nothing listens on port 2 of loopback: the PBX checks fail fast with ECONNREFUSED.
const noPbx = { CALLREC_ARI_URL: 'http://127.0.0.1:2', CALLREC_AMI_PORT: '2', CALLREC_ESL_PORT: '2' };

describe.each(STORE_KINDS)('callrec migrate on %s', (kind) => {
  it('goes up, all the way down, and up again', async () => {
    const db = await createTestDb(kind);
    try {
      const env = { CALLREC_DB_URL: db.url };
      const up = await runCli(['migrate'], env);
      expect(up).toMatchObject({ code: 0 });
      expect(up.out[0]).toMatch(/^migrated .*: 20261122000001_initial/);
      expect((await runCli(['migrate', 'status'], env)).out).toEqual(NAMES.map((n) => `applied  ${n}`));
      const down = await runCli(['migrate', 'down', '--all'], env);
      expect(down.out[0]).toMatch(/^rolled back on .*: .*20261122000001_initial/);
      expect((await runCli(['migrate', 'status'], env)).out).toEqual(NAMES.map((n) => `pending  ${n}`));
      expect((await runCli(['migrate'], env)).code).toBe(0);
      expect((await runCli(['migrate'], env)).out[0]).toMatch(/is up to date$/);
    } finally {
      await db.drop();
    }
  });
});

describe('callrec doctor', () => {
  it('reports a wrong database password as FAIL with the reason, exit code 1, without the password', async () => {
    const u = new URL(MYSQL_ROOT_URL);
    u.password = 'definitely-wrong';
    u.pathname = '/callrec';
    const r = await runCli(['doctor'], { ...noPbx, CALLREC_DB_URL: u.toString(), CALLREC_RECORDINGS_DIR: tmp() });
    expect(r.code).toBe(1);
    const line = r.out.find((l) => l.includes('database'));
    expect(line).toMatch(/^FAIL\s+database\s+mysql:\/\/root:\*\*\*@127\.0\.0\.1:3306\/callrec: .*Access denied/);
    expect(r.out.join('\n')).not.toContain('definitely-wrong');
  });

  it('reports an unwritable recordings directory as FAIL with the reason', async () => {
    const dir = tmp();
    const file = path.join(dir, 'not-a-dir');
    fs.writeFileSync(file, '');
    const r = await runCli(['doctor'], {
      ...noPbx,
      CALLREC_DB_URL: `sqlite:${path.join(dir, 'db.sqlite3')}`,
      CALLREC_RECORDINGS_DIR: path.join(file, 'recordings'),
    });
    expect(r.code).toBe(1);
    expect(r.out.find((l) => l.includes('recordings dir'))).toMatch(
      /^FAIL\s+recordings dir\s+.*not-a-dir\/recordings is not writable: a path component is not a directory/,
    );
  });

  it('says OK for a healthy store and FAIL for an unreachable PBX', async () => {
    const dir = tmp();
    const env = {
      ...noPbx,
      CALLREC_DB_URL: `sqlite:${path.join(dir, 'db.sqlite3')}`,
      CALLREC_RECORDINGS_DIR: path.join(dir, 'rec'),
    };
    expect((await runCli(['migrate'], env)).code).toBe(0);
    const r = await runCli(['doctor'], env);
    expect(r.out).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^OK\s+database\s+sqlite:.* reachable$/),
        expect.stringMatching(new RegExp(`^OK\\s+migrations\\s+${NAMES.length} applied, none pending$`)),
        expect.stringMatching(/^OK\s+recordings dir\s+/),
        expect.stringMatching(/^FAIL\s+pbx ari\s+ARI at http:\/\/127\.0\.0\.1:2: ECONNREFUSED$/),
        expect.stringMatching(/^FAIL\s+pbx ami\s+.*ECONNREFUSED$/),
      ]),
    );
    expect(r.code).toBe(1);
  });

  it('reports files without a row and call writes waiting in the journal', async () => {
    const dir = tmp();
    const env = {
      ...noPbx,
      CALLREC_DB_URL: `sqlite:${path.join(dir, 'db.sqlite3')}`,
      CALLREC_RECORDINGS_DIR: path.join(dir, 'rec'),
      CALLREC_JOURNAL_DIR: path.join(dir, 'journal'),
    };
    expect((await runCli(['migrate'], env)).code).toBe(0);
    writeWav(path.join(dir, 'rec', '2026/11/23/20261123101500-1-2-1763900000.1.wav'), 1);
    fs.utimesSync(path.join(dir, 'rec', '2026/11/23/20261123101500-1-2-1763900000.1.wav'), new Date(0), new Date(0));
    const j = JournalFile.open(path.join(dir, 'journal'), 1 << 20);
    j.append({ any: 'write' });
    j.close();
    const r = await runCli(['doctor'], env);
    expect(r.out).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^FAIL\s+orphans\s+1 audio files without a row \(callrec reconcile adopts them\)$/),
        expect.stringMatching(/^OK\s+journal\s+.*: 1 call writes waiting for the database, oldest \d+ s/),
      ]),
    );
  });

  it('flags pending migrations', async () => {
    const dir = tmp();
    const r = await runCli(['doctor'], {
      ...noPbx,
      CALLREC_DB_URL: `sqlite:${path.join(dir, 'db.sqlite3')}`,
      CALLREC_RECORDINGS_DIR: dir,
    });
    expect(r.out.find((l) => l.includes('migrations'))).toMatch(
      new RegExp(`^FAIL\\s+migrations\\s+${NAMES.length} pending .*run callrec migrate$`),
    );
  });
});

describe('callrec start', () => {
  it('stops on a bad value with one line per field naming what is allowed, exit 2', async () => {
    const r = await runCli(['start'], { CALLREC_HTTP_PORT: 'abc', CALLREC_PBX: 'sip' });
    expect(r.code).toBe(2);
    expect(r.err).toEqual([
      'callrec: configuration error: CALLREC_HTTP_PORT: must be an integer from 1 to 65535 (got "abc")',
      'callrec: configuration error: CALLREC_PBX: must be one of asterisk, freeswitch (got "sip")',
    ]);
  });

  it('rejects an unknown command', async () => {
    const r = await runCli(['frobnicate'], {});
    expect(r).toMatchObject({
      code: 2,
      err: [
        expect.stringMatching(/^callrec: unknown command "frobnicate"; use one of start, migrate, doctor, .*retention/),
      ],
    });
  });
});

describe('callrec <command> --help', () => {
  it('prints the usage of every command and subcommand, exit 0, doing nothing else', async () => {
    const dir = tmp();
    const dbFile = path.join(dir, 'never.sqlite3');
    const rules = path.join(dir, 'rules.yaml');
    fs.writeFileSync(rules, 'flows: []\n');
    // Every one of these would open (and create) the database, or import, purge, start, create a key.
    const env = { ...noPbx, CALLREC_DB_URL: `sqlite:${dbFile}`, CALLREC_RECORDINGS_DIR: dir };
    const asks = [
      ['migrate', '--help'],
      ['migrate', 'down', '--all', '-h'],
      ['doctor', '--help'],
      ['explain', '--help'],
      ['flows', 'import', rules, '--help'],
      ['flows', '--help', 'export'],
      ['install', '--help'],
      ['keys', 'create', '--role', 'admin', '--help'],
      ['keys', 'list', '--help'],
      ['retention', 'run', '--help'],
      ['retention', 'report', '-h'],
      ['start', '--help'],
    ];
    for (const argv of asks) {
      const r = await runCli(argv, env);
      expect([argv.join(' '), r.code, r.err]).toEqual([argv.join(' '), 0, []]);
      expect(r.out.join('\n')).toContain(`usage: callrec ${argv[0]}`);
    }
    expect(fs.existsSync(dbFile)).toBe(false);
  });
});
