import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { loadConfig } from '../../controller/src/config';
import { scheduleZone, startRetentionSchedule } from '../../controller/src/retention/schedule';
import { createStore, migrateLatest, openDb } from '../../controller/src/store';
import { createLogger } from '../../controller/src/util/logger';

describe('the retention schedule', () => {
  it('runs the purge from cron in the configured zone and stops with the controller', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callrec-sched-'));
    const cfg = loadConfig({
      CALLREC_DB_URL: `sqlite:${path.join(dir, 'db.sqlite3')}`,
      CALLREC_RECORDINGS_DIR: dir,
      CALLREC_RETENTION_SCHEDULE: '* * * * * *',
      CALLREC_RETENTION_TIMEZONE: 'Europe/Paris',
    });
    const db = openDb(cfg.db.url);
    await migrateLatest(db.knex);
    const lines: string[] = [];
    const stream = new PassThrough();
    stream.on('data', (c: Buffer) => lines.push(...c.toString().trim().split('\n')));
    const sched = startRetentionSchedule(cfg, createStore(db), createLogger({ level: 'info', format: 'json', stream }));
    try {
      expect(sched.nextRun()).toBeInstanceOf(Date);
      await new Promise((r) => setTimeout(r, 2200));
    } finally {
      await sched.stop();
    }
    const runs = await createStore(db).retentionRuns.recent(10);
    expect(runs.length).toBeGreaterThanOrEqual(1);
    expect(runs.every((r) => r.trigger === 'cron' && r.state === 'finished')).toBe(true);
    const count = runs.length;
    await new Promise((r) => setTimeout(r, 1200));
    expect(await createStore(db).retentionRuns.recent(10)).toHaveLength(count);
    expect(lines.some((l) => l.includes('retention scheduled') && l.includes('Europe/Paris'))).toBe(true);
    await db.close();
  });

  it('logs a scheduled run that cannot start because the database is down', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callrec-sched-'));
    // Nothing listens on port 2 of loopback: every connection is refused at once.
    const cfg = loadConfig({
      CALLREC_DB_URL: 'mysql://root@127.0.0.1:2/callrec',
      CALLREC_RECORDINGS_DIR: dir,
      CALLREC_RETENTION_SCHEDULE: '* * * * * *',
    });
    const db = openDb(cfg.db.url);
    const lines: string[] = [];
    const stream = new PassThrough();
    stream.on('data', (c: Buffer) => lines.push(...c.toString().trim().split('\n')));
    const sched = startRetentionSchedule(cfg, createStore(db), createLogger({ level: 'info', format: 'json', stream }));
    try {
      await new Promise((r) => setTimeout(r, 1500));
    } finally {
      await sched.stop();
      await db.close();
    }
    const failed = lines.filter((l) => l.includes('retention run failed to start'));
    expect(failed.length).toBeGreaterThanOrEqual(1);
    expect(JSON.parse(failed[0] ?? '{}')).toMatchObject({
      level: 'error',
      trigger: 'cron',
      error: expect.stringContaining('ECONNREFUSED'),
    });
  });

  it('reads "local" as the machine zone', () => {
    expect(scheduleZone('local')).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
    expect(scheduleZone('America/New_York')).toBe('America/New_York');
  });
});
