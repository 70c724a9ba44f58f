import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createStore, openDb } from '../../controller/src/store';
import { LOCK_NAME } from '../../controller/src/store/retention-runs-repo';
import { runCli } from '../helpers/cli';
import { createTestDb, STORE_KINDS } from '../helpers/db';

describe.each(STORE_KINDS)('callrec retention on %s', (kind) => {
  it('runs, dry-runs, reports, and exits 3 while another run holds the lock', async () => {
    const tdb = await createTestDb(kind);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'callrec-retcli-'));
    const env = { CALLREC_DB_URL: tdb.url, CALLREC_RECORDINGS_DIR: root, CALLREC_NODE: 'pbx1' };
    expect((await runCli(['migrate'], env)).code).toBe(0);
    const db = openDb(tdb.url);
    try {
      const store = createStore(db);
      const call = await store.calls.insert({
        node: 'pbx1', pbx: 'asterisk', pbxCallId: 'c1', direction: 'inbound', flow: null, applet: null, campaign: null, fromNumber: null,
        fromRaw: null, toNumber: null, toRaw: null, agent: null, language: null, state: 'done', recordMode: 'from-answer', consentMode: 'none',
        decision: null, startedAt: new Date('2020-01-01T00:00:00Z'),
      });
      const add = async (file: string, retainUntil: Date, tier: 'standard' | 'extended' = 'standard') => {
        const r = await store.recordings.insert({ callId: call.id, state: 'completed', filePath: file, recordMode: 'from-answer', tier, channels: 1, beep: false,
          direction: 'inbound', fromNumber: null, toNumber: null, agent: null, flow: null, campaign: null, startedAt: new Date('2020-01-01T00:00:00Z') });
        await store.recordings.update(r.id, { retainUntil, sizeBytes: 44 });
        fs.writeFileSync(path.join(root, file), Buffer.alloc(44));
      };
      await add('a.wav', new Date(Date.now() - 86_400_000));
      await add('b.wav', new Date(Date.now() + 3 * 86_400_000));
      await add('c.wav', new Date(Date.now() + 20 * 86_400_000), 'extended');

      expect(await runCli(['retention', 'run', '--limit', 'x'], env)).toMatchObject({ code: 2, err: [expect.stringContaining('--limit needs a positive whole number')] });
      const dry = await runCli(['retention', 'run', '--dry-run'], env);
      expect(dry).toMatchObject({ code: 0, out: [expect.stringMatching(/\(dry run\) finished .*purged 1 \(44 B\)/)] });
      expect(fs.existsSync(path.join(root, 'a.wav'))).toBe(true);

      const held = await store.retentionRuns.tryLock('other-controller', 60_000);
      if (!held.ok) throw new Error('lock unexpectedly taken');
      const locked = await runCli(['retention', 'run'], env);
      await held.lock.release();
      expect(locked).toMatchObject({ code: 3, err: [expect.stringContaining('another run holds the lock')] });
      expect(fs.existsSync(path.join(root, 'a.wav'))).toBe(true);

      expect(await runCli(['retention', 'run'], env)).toMatchObject({ code: 0, out: [expect.stringMatching(/cli finished .*purged 1/)] });
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
