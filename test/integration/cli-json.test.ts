// `--json`: each command's stdout is one JSON document with the figures it prints for people
// (the fields the README lists), so cron wrappers and monitoring parse instead of scraping.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createStore, openDb } from '../../controller/src/store';
import { runCli, type CliRun } from '../helpers/cli';
import { insertDoneCall, insertRecording } from '../helpers/recordings';

const parse = (r: CliRun): Record<string, unknown> => JSON.parse(r.out.join('\n')) as Record<string, unknown>;

describe('callrec --json', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callrec-json-'));
  const root = path.join(dir, 'rec');
  // Nothing listens on port 2 of loopback: the PBX checks fail fast.
  const env = {
    CALLREC_DB_URL: `sqlite:${path.join(dir, 'db.sqlite3')}`,
    CALLREC_RECORDINGS_DIR: root,
    CALLREC_NODE: 'pbx1',
    CALLREC_ARI_URL: 'http://127.0.0.1:2',
    CALLREC_AMI_PORT: '2',
  };
  /** A 44-byte recording whose retention ends `days` from now. */
  async function seed(file: string, days: number): Promise<void> {
    const db = openDb(env.CALLREC_DB_URL);
    try {
      const store = createStore(db);
      await insertRecording(store, await insertDoneCall(store), file, new Date(Date.now() + days * 86_400_000));
      fs.writeFileSync(path.join(root, file), Buffer.alloc(44));
    } finally {
      await db.close();
    }
  }

  // Each test seeds the expired recording its run purges, so they pass in any order.
  beforeAll(async () => {
    expect((await runCli(['migrate'], env)).code).toBe(0);
    fs.mkdirSync(root, { recursive: true });
    await seed('soon.wav', 3);
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('retention run: the run record', async () => {
    await seed('old.wav', -1);
    const r = await runCli(['retention', 'run', '--json'], env);
    expect(r.code).toBe(0);
    expect(parse(r)).toMatchObject({
      id: expect.any(Number),
      node: 'pbx1',
      trigger: 'cli',
      dryRun: false,
      state: 'finished',
      scanned: 1,
      purged: 1,
      bytesFreed: 44,
      skippedOnHold: 0,
      missingFiles: 0,
      errors: 0,
      errorDetail: null,
      startedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    // --json may stand anywhere; the run's log lines go to stderr, stdout is the document alone.
    const stdout = jest.spyOn(process.stdout, 'write');
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(
        (
          await runCli(['retention', 'run', '--json'], {
            ...env,
            CALLREC_LOG_LEVEL: 'info',
            CALLREC_LOG_FORMAT: 'json',
          })
        ).code,
      ).toBe(0);
      expect(stdout.mock.calls.map((c) => String(c[0])).join('')).not.toContain('retention run');
      expect(stderr.mock.calls.map((c) => String(c[0])).join('')).toContain('"message":"retention run finished"');
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
    }
    expect(parse(await runCli(['retention', '--json', 'run', '--dry-run'], env))).toMatchObject({
      dryRun: true,
      purged: 0,
    });
  });

  it('retention run while another holds the lock: who holds it, exit 3', async () => {
    const db = openDb(env.CALLREC_DB_URL);
    try {
      const held = await createStore(db).retentionRuns.tryLock('other-controller', 60_000);
      if (!held.ok) throw new Error('lock unexpectedly taken');
      const r = await runCli(['retention', 'run', '--json'], env);
      await held.lock.release();
      expect(r.code).toBe(3);
      expect(parse(r)).toEqual({ locked: true, holder: 'other-controller' });
    } finally {
      await db.close();
    }
  });

  it('retention report: recent runs, what expires by tier, holds', async () => {
    await seed('old-too.wav', -1);
    expect((await runCli(['retention', 'run'], env)).code).toBe(0);
    const r = await runCli(['retention', 'report', '--json'], env);
    expect(r.code).toBe(0);
    const rep = parse(r);
    expect(rep.recentRuns).toEqual(expect.arrayContaining([expect.objectContaining({ trigger: 'cli', purged: 1 })]));
    expect(rep.expiring).toEqual(
      expect.arrayContaining([
        { days: 0, tier: 'standard', count: 0, bytes: 0 },
        { days: 7, tier: 'standard', count: 1, bytes: 44 },
        { days: 30, tier: 'extended', count: 0, bytes: 0 },
      ]),
    );
    expect(rep.onHold).toBe(0);
  });

  it('doctor: every check with ok and detail, and the overall verdict', async () => {
    const r = await runCli(['doctor', '--json'], env);
    expect(r.code).toBe(1);
    const doc = parse(r);
    expect(doc.ok).toBe(false);
    expect(doc.checks).toEqual(
      expect.arrayContaining([
        { name: 'database', ok: true, detail: expect.stringContaining('reachable') },
        { name: 'pbx ari', ok: false, detail: expect.stringContaining('ECONNREFUSED') },
      ]),
    );
  });

  it('keys list: every key without its secret', async () => {
    const created = await runCli(['keys', 'create', '--role', 'agent', '--agent', '201'], env);
    expect(created.code).toBe(0);
    expect((await runCli(['keys', 'revoke', '1'], env)).code).toBe(0);
    const r = await runCli(['keys', 'list', '--json'], env);
    expect(r.code).toBe(0);
    expect(parse(r)).toEqual({
      keys: [
        {
          id: 1,
          name: 'agent-201',
          prefix: expect.any(String),
          role: 'agent',
          agent: '201',
          active: false,
          createdAt: expect.any(String),
          lastUsedAt: null,
          revokedAt: expect.any(String),
        },
      ],
    });
    expect(r.out.join('\n')).not.toContain((created.out[0] ?? '').slice('crk_123456789abc_'.length));
  });

  it('explain: the decision', async () => {
    const r = await runCli(['explain', '--from', '+13105550100', '--to', '+12125550123', '--json'], env);
    expect(r.code).toBe(0);
    expect(parse(r)).toMatchObject({
      record: expect.any(String),
      consent: expect.any(String),
      tier: 'standard',
      reasons: expect.any(Array),
    });
  });
});
