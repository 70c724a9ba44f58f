import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createStore, openDb, type Store } from '../../controller/src/store';
import { LOCK_NAME } from '../../controller/src/store/retention-runs-repo';
import { runCli } from '../helpers/cli';
import { createTestDb, STORE_KINDS } from '../helpers/db';
import { startPrivateMariaDb } from '../helpers/private-mariadb';
import { insertRecording, recordingColumns } from '../helpers/recordings';
import { doneCall } from '../helpers/rows';
import knexFactory from 'knex';

const insertCall = (store: Store) => store.calls.insert(doneCall('c1'));

describe.each(STORE_KINDS)('callrec retention on %s', (kind) => {
  it('runs, dry-runs, reports, and exits 3 while another run holds the lock', async () => {
    const tdb = await createTestDb(kind);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'callrec-retcli-'));
    const env = { CALLREC_DB_URL: tdb.url, CALLREC_RECORDINGS_DIR: root, CALLREC_NODE: 'pbx1' };
    expect((await runCli(['migrate'], env)).code).toBe(0);
    const db = openDb(tdb.url);
    try {
      const store = createStore(db);
      const call = await insertCall(store);
      const add = async (file: string, retainUntil: Date, tier: 'standard' | 'extended' = 'standard') => {
        await insertRecording(store, call.id, file, retainUntil, tier);
        fs.writeFileSync(path.join(root, file), Buffer.alloc(44));
      };
      await add('a.wav', new Date(Date.now() - 86_400_000));
      await add('b.wav', new Date(Date.now() + 3 * 86_400_000));
      await add('c.wav', new Date(Date.now() + 20 * 86_400_000), 'extended');

      expect(await runCli(['retention', 'run', '--limit', 'x'], env)).toMatchObject({
        code: 2,
        err: [expect.stringContaining('--limit needs a positive whole number')],
      });
      const dry = await runCli(['retention', 'run', '--dry-run'], env);
      expect(dry).toMatchObject({ code: 0, out: [expect.stringMatching(/\(dry run\) finished .*purged 1 \(44 B\)/)] });
      expect(fs.existsSync(path.join(root, 'a.wav'))).toBe(true);

      const held = await store.retentionRuns.tryLock('other-controller', 60_000);
      if (!held.ok) throw new Error('lock unexpectedly taken');
      const locked = await runCli(['retention', 'run'], env);
      await held.lock.release();
      expect(locked).toMatchObject({ code: 3, err: [expect.stringContaining('another run holds the lock')] });
      expect(fs.existsSync(path.join(root, 'a.wav'))).toBe(true);

      expect(await runCli(['retention', 'run'], env)).toMatchObject({
        code: 0,
        out: [expect.stringMatching(/cli finished .*purged 1/)],
      });
      expect(fs.existsSync(path.join(root, 'a.wav'))).toBe(false);

      const report = await runCli(['retention', 'report'], env);
      expect(report.code).toBe(0);
      expect(report.out.join('\n')).toMatch(/next 7 days\s+standard\s+1 recordings/);
      expect(report.out.join('\n')).toMatch(/next 30 days\s+extended\s+1 recordings/);
      expect(report.out.filter((l) => /^ {2}#\d+ /.test(l))).toHaveLength(2);
      expect(LOCK_NAME).toBe('callrec-retention');
    } finally {
      await db.close();
      await tdb.drop();
    }
  });
});

describe('callrec retention run when MySQL dies mid-run', () => {
  it('reports the cause, exits 4, and the run row keeps the counters of the batches done', async () => {
    const m = await startPrivateMariaDb();
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'callrec-retdie-'));
    const url = `mysql://root@127.0.0.1:${m.port}/callrec`;
    const env = {
      CALLREC_DB_URL: url,
      CALLREC_RECORDINGS_DIR: root,
      CALLREC_NODE: 'pbx1',
      CALLREC_RETENTION_BATCH: '20',
    };
    const admin = knexFactory({ client: 'mysql2', connection: url.replace('/callrec', '') });
    try {
      await admin.raw('create database if not exists callrec');
      expect((await runCli(['migrate'], env)).code).toBe(0);
      const db = openDb(url);
      try {
        const store = createStore(db);
        const call = await insertCall(store);
        const at = new Date('2020-01-01T00:00:00Z');
        const rows = recordingColumns(call.id, 2000, at, () => at);
        for (let i = 0; i < rows.length; i += 500) await db.knex('recordings').insert(rows.slice(i, i + 500));
        for (const r of rows) fs.writeFileSync(path.join(root, r.file_path), Buffer.alloc(44));
        const running = runCli(['retention', 'run'], env);
        // Killed once a few batches are done and recorded (the run would take seconds more).
        for (let i = 0; ; i++) {
          const [row] = await db.knex('retention_runs').select('purged');
          if (Number(row?.purged ?? 0) > 0 || i > 200) break;
          await new Promise((r) => setTimeout(r, 25));
        }
        await m.kill();
        const r = await running;
        expect(r.code).toBe(4);
        expect(r.err.join('\n')).toMatch(
          /^callrec retention run: the run failed: .*(Connection lost|ECONNREFUSED|ECONNRESET|closed state)/,
        );
        expect(r.err.join('\n')).not.toMatch(/release_lock/);
      } finally {
        await db.close();
      }
      await m.start();
      const after = openDb(url);
      try {
        const [run] = await after.knex('retention_runs').select();
        expect(Number(run.purged)).toBeGreaterThan(0);
        expect(Number(run.purged)).toBeLessThan(2000);
        expect(Number(run.purged)).toBe(
          Number((await after.knex('recordings').where({ state: 'purged' }).count({ n: '*' }))[0]?.n),
        );
      } finally {
        await after.close();
      }
    } finally {
      await admin.destroy();
      await m.destroy();
    }
  }, 90_000);
});
