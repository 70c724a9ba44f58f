import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { createRetentionActions } from '../../controller/src/retention/actions';
import { runRetention, type RetentionDeps, type RunOutcome } from '../../controller/src/retention/runner';
import { createStore, openDb, type Db, type Store } from '../../controller/src/store';
import { createLogger } from '../../controller/src/util/logger';
import type { Tier } from '../../controller/src/domain/records';
import { retainUntil } from '../../controller/src/domain/tiers';
import { openTestStore, STORE_KINDS, type TestDb } from '../helpers/db';
import { doneCall, recordingRow } from '../helpers/rows';
import { metricsRegistry } from '../../controller/src/metrics';
import { spawnSync } from 'node:child_process';
import { LOCK_NAME } from '../../controller/src/store/retention-runs-repo';

const DAY = 86_400_000;
const NOW = new Date('2027-06-15T03:00:00Z');
const logger = createLogger({ level: 'error', format: 'json', stream: new PassThrough().resume() });

describe.each(STORE_KINDS)('retention on %s', (kind) => {
  let tdb: TestDb;
  let db: Db;
  let store: Store;
  let root: string;
  let callId: number;
  let seq = 0;

  beforeAll(async () => {
    ({ tdb, db, store } = await openTestStore(kind));
    const call = await store.calls.insert(doneCall('ret.1'));
    callId = call.id;
  });
  afterAll(async () => {
    await db.close();
    await tdb.drop();
  });

  beforeEach(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'callrec-ret-'));
    await db.knex('recording_events').delete();
    await db.knex('recordings').delete();
    await db.knex('recording_tombstones').delete();
    await db.knex('retention_runs').delete();
    await db.knex('locks').delete();
  });

  const deps = (over: Partial<RetentionDeps> = {}): RetentionDeps => ({
    root,
    node: 'pbx1',
    lengths: { standardDays: 180, extendedYears: 7 },
    batchSize: 3,
    logger,
    now: () => NOW,
    ...over,
  });

  /** How many `purged` entries each recording's trail has. */
  const purgedEvents = async (ids: readonly number[]) =>
    Promise.all(ids.map(async (id) => (await store.events.forRecording(id)).filter((e) => e.type === 'purged').length));

  /** A finished recording that ended `agoDays` before NOW, with its real file on disk. */
  async function seed(
    agoDays: number,
    opts: { tier?: Tier; hold?: boolean; state?: 'completed' | 'failed'; file?: boolean; filePath?: string } = {},
  ) {
    const tier = opts.tier ?? 'standard';
    const ended = new Date(NOW.getTime() - agoDays * DAY);
    const filePath = opts.filePath ?? `2027/01/01/rec-${++seq}.wav`;
    const rec = await store.recordings.insert({
      callId,
      ...recordingRow(filePath, {
        state: opts.state ?? 'completed',
        tier,
        startedAt: new Date(ended.getTime() - 60_000),
      }),
    });
    await store.recordings.update(rec.id, { endedAt: ended, sizeBytes: 1000, retainUntil: retainUntil(ended, tier) });
    if (opts.file !== false && !path.isAbsolute(filePath) && !filePath.includes('..')) {
      fs.mkdirSync(path.dirname(path.join(root, filePath)), { recursive: true });
      fs.writeFileSync(path.join(root, filePath), Buffer.alloc(1000));
    }
    if (opts.hold)
      await db
        .knex('recordings')
        .where({ id: rec.id })
        .update({ on_hold: true, hold_reason: 'case 42', hold_by: 'legal' });
    return rec.id;
  }

  const stateOf = async (id: number) => (await store.recordings.get(id))?.state;
  const fileOf = async (id: number) =>
    fs.existsSync(path.join(root, (await store.recordings.get(id))?.filePath ?? 'none'));
  const done = (o: RunOutcome) => {
    if (o.kind !== 'done') throw new Error(`locked by ${o.holder}`);
    return o.run;
  };

  /** No row points at a missing file without a tombstone; no file exists without its live row. */
  async function expectConsistent() {
    const rows = await db
      .knex('recordings')
      .leftJoin('recording_tombstones as rt', 'rt.recording_id', 'recordings.id')
      .select('id', 'state', 'file_path', 'rt.purged_at', 'rt.purge_run_id');
    for (const r of rows as Array<{ id: number; state: string; file_path: string; purged_at: unknown }>) {
      const exists = fs.existsSync(path.join(root, r.file_path));
      if (r.state === 'purged') {
        expect(exists).toBe(false);
        expect(r.purged_at).not.toBeNull();
      } else expect([r.id, exists]).toEqual([r.id, true]);
    }
    const files = fs
      .readdirSync(root, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.wav'));
    const live = new Set(
      (rows as Array<{ state: string; file_path: string }>).filter((r) => r.state !== 'purged').map((r) => r.file_path),
    );
    for (const f of files) expect(live.has(f)).toBe(true);
  }

  it('purges expired standard recordings with a tombstone and an audit event, keeps the rest', async () => {
    const expired = [await seed(181), await seed(200), await seed(400)];
    const young = await seed(179);
    const extended = await seed(6 * 365, { tier: 'extended' });
    const run = done(await runRetention(store, deps(), { trigger: 'cli' }));
    expect(run).toMatchObject({
      state: 'finished',
      purged: 3,
      bytesFreed: 3000,
      missingFiles: 0,
      errors: 0,
      skippedOnHold: 0,
      dryRun: false,
    });
    for (const id of expired) {
      const r = await store.recordings.get(id);
      expect(r).toMatchObject({
        state: 'purged',
        purgeRunId: run.id,
        bytesFreed: 1000,
        purgedBy: `retention-run:${run.id}`,
      });
      expect(await store.events.forRecording(id)).toEqual([
        expect.objectContaining({ type: 'purged', actor: `retention-run:${run.id}` }),
      ]);
    }
    expect([await stateOf(young), await fileOf(young), await stateOf(extended), await fileOf(extended)]).toEqual([
      'completed',
      true,
      'completed',
      true,
    ]);
    await expectConsistent();
  });

  it('publishes recording.purged for each recording it purged, and for an early deletion', async () => {
    const expired = await seed(200);
    await seed(10);
    const published: Array<[number, string]> = [];
    const publisher = {
      publish: async (id: number, event: string) => {
        published.push([id, event]);
        return [];
      },
    };
    done(await runRetention(store, deps({ publisher }), { trigger: 'cli' }));
    expect(published).toEqual([[expired, 'recording.purged']]);
    const fresh = await seed(5);
    const actions = createRetentionActions(store, {
      root,
      lengths: { standardDays: 180, extendedYears: 7 },
      logger,
      publisher,
    });
    expect((await actions.deleteEarly(fresh, 'customer asked', 'ops (admin)')).ok).toBe(true);
    expect(published).toEqual([
      [expired, 'recording.purged'],
      [fresh, 'recording.purged'],
    ]);
  });

  it('refuses a duty cycle that cannot pace before it takes the lock or touches a row', async () => {
    const id = await seed(400);
    await expect(runRetention(store, deps({ dutyCycle: 0 }), { trigger: 'cli' })).rejects.toThrow(
      /duty cycle must be above 0/,
    );
    expect(await store.retentionRuns.recent(5)).toEqual([]);
    expect((await store.recordings.get(id))?.state).toBe('completed');
  });

  it('keeps the extended tier until 7 calendar years, then purges it', async () => {
    const kept = await seed(7 * 365, { tier: 'extended' }); // 7 x 365 days < 7 calendar years (leap days)
    const gone = await seed(7 * 365 + 3, { tier: 'extended' });
    done(await runRetention(store, deps(), { trigger: 'cli' }));
    expect([await stateOf(kept), await fileOf(kept), await stateOf(gone), await fileOf(gone)]).toEqual([
      'completed',
      true,
      'purged',
      false,
    ]);
  });

  it('never purges a held recording, however old, and counts it', async () => {
    const held = await seed(3000, { hold: true });
    const heldExt = await seed(3000, { tier: 'extended', hold: true });
    const run = done(await runRetention(store, deps(), { trigger: 'cli' }));
    expect(run).toMatchObject({ purged: 0, skippedOnHold: 2 });
    expect([await stateOf(held), await fileOf(held), await stateOf(heldExt), await fileOf(heldExt)]).toEqual([
      'completed',
      true,
      'completed',
      true,
    ]);
  });

  it('purges failed recordings on the same schedule, and gives a retain_until to rows without one', async () => {
    const failed = await seed(200, { state: 'failed' });
    const noDate = await seed(300);
    await db.knex('recordings').where({ id: noDate }).update({ retain_until: null });
    const run = done(await runRetention(store, deps(), { trigger: 'cli' }));
    expect(run.purged).toBe(2);
    expect([await stateOf(failed), await stateOf(noDate)]).toEqual(['purged', 'purged']);
  });

  it('dry-run changes nothing and reports the counts the real run then produces', async () => {
    for (const d of [181, 190, 250, 300]) await seed(d);
    await seed(200, { hold: true });
    await seed(220, { file: false });
    const noDate = await seed(500);
    await db.knex('recordings').where({ id: noDate }).update({ retain_until: null });
    await seed(10);
    const before = await db.knex('recordings').select().orderBy('id');
    const dry = done(await runRetention(store, deps(), { trigger: 'cli', dryRun: true }));
    expect(await db.knex('recordings').select().orderBy('id')).toEqual(before);
    expect(await db.knex('recording_events').count({ n: '*' })).toEqual([{ n: 0 }]);
    const real = done(await runRetention(store, deps(), { trigger: 'cli' }));
    const counts = (r: typeof dry) => [r.scanned, r.purged, r.bytesFreed, r.skippedOnHold, r.missingFiles, r.errors];
    expect(counts(dry)).toEqual(counts(real));
    expect(counts(real)).toEqual([7, 6, 5000, 1, 1, 0]);
    expect(dry.dryRun).toBe(true);
  });

  it('records a missing file as such and an escaping path as an error, without stopping', async () => {
    const missing = await seed(200, { file: false });
    const escape = await seed(200, { filePath: '../../etc/passwd' });
    const absolute = await seed(200, { filePath: '/etc/hostname' });
    const fine = await seed(200);
    const run = done(await runRetention(store, deps(), { trigger: 'cli' }));
    expect(run).toMatchObject({ purged: 2, missingFiles: 1, errors: 2, state: 'finished' });
    expect(run.errorDetail).toContain('escapes the recordings root');
    expect(await store.recordings.get(missing)).toMatchObject({
      state: 'purged',
      bytesFreed: 0,
      purgeReason: 'retention expired (file already missing)',
    });
    expect([await stateOf(escape), await stateOf(absolute), await stateOf(fine)]).toEqual([
      'completed',
      'completed',
      'purged',
    ]);
  });

  it('never deletes outside the root through a symlinked directory or a symlinked file, run or early deletion', async () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'callrec-outside-'));
    for (const f of ['victim.wav', 'early.wav', 'target.wav'])
      fs.writeFileSync(path.join(outside, f), Buffer.alloc(1000));
    fs.symlinkSync(outside, path.join(root, 'linkdir'));
    fs.symlinkSync(path.join(outside, 'target.wav'), path.join(root, 'link.wav'));
    const viaDir = await seed(200, { filePath: 'linkdir/victim.wav', file: false });
    const viaFile = await seed(200, { filePath: 'link.wav', file: false });
    const fine = await seed(200);
    const run = done(await runRetention(store, deps(), { trigger: 'cli' }));
    expect(run).toMatchObject({ purged: 1, errors: 2, state: 'finished' });
    expect(run.errorDetail).toMatch(/linkdir\/victim\.wav.*escapes the recordings root/);
    expect(run.errorDetail).toContain('link.wav is not a regular file');
    expect([await stateOf(viaDir), await stateOf(viaFile), await stateOf(fine)]).toEqual([
      'completed',
      'completed',
      'purged',
    ]);
    expect(fs.readdirSync(outside).sort()).toEqual(['early.wav', 'target.wav', 'victim.wav']);
    expect(fs.lstatSync(path.join(root, 'link.wav')).isSymbolicLink()).toBe(true);
    // On MySQL their tombstones were written before the unlink found the links: none is left.
    expect(await db.knex('recording_tombstones').whereIn('recording_id', [viaDir, viaFile])).toEqual([]);
    const early = await seed(5, { filePath: 'linkdir/early.wav', file: false });
    const actions = createRetentionActions(store, { root, lengths: { standardDays: 180, extendedYears: 7 }, logger });
    expect(await actions.deleteEarly(early, 'customer asked', 'admin')).toMatchObject({
      ok: false,
      error: { kind: 'conflict', detail: expect.stringContaining('escapes the recordings root') },
    });
    expect(fs.existsSync(path.join(outside, 'early.wav'))).toBe(true);
  });

  it('records the bytes the unlink found, not the size the row recorded, when the two differ', async () => {
    const grown = await seed(200);
    const rec = await store.recordings.get(grown);
    fs.writeFileSync(path.join(root, rec?.filePath ?? 'none'), Buffer.alloc(1500));
    const run = done(await runRetention(store, deps(), { trigger: 'cli' }));
    expect(run).toMatchObject({ purged: 1, bytesFreed: 1500, missingFiles: 0 });
    expect(await store.recordings.get(grown)).toMatchObject({ state: 'purged', bytesFreed: 1500 });
    const events = (await store.events.forRecording(grown)).filter((e) => e.type === 'purged');
    expect(events).toEqual([
      expect.objectContaining({ detail: expect.objectContaining({ bytesFreed: 1500, missingFile: false }) }),
    ]);
  });

  it('purges nothing when the recordings directory is not there (an unmounted volume), rather than every file "missing"', async () => {
    const id = await seed(200);
    fs.rmSync(root, { recursive: true });
    const run = done(await runRetention(store, deps(), { trigger: 'cli' }));
    expect(run).toMatchObject({ purged: 0, missingFiles: 0, errors: 1 });
    expect(run.errorDetail).toContain('is not available (ENOENT)');
    expect(await stateOf(id)).toBe('completed');
  });

  it('moves the purge metrics after a run and after an early deletion', async () => {
    const metric = async (series: string) => {
      const line = (await metricsRegistry.metrics()).split('\n').find((l) => l.startsWith(`${series} `));
      return Number(line?.split(' ')[1] ?? 0);
    };
    const names = [
      'callrec_purged_recordings_total{trigger="cli"}',
      'callrec_purged_recordings_total{trigger="early-delete"}',
      'callrec_purge_bytes_freed_total',
      'callrec_purge_errors_total',
    ];
    const read = () => Promise.all(names.map(metric));
    const before = await read();
    await seed(200);
    await seed(300);
    await seed(200, { filePath: '../escape.wav' });
    done(await runRetention(store, deps(), { trigger: 'cli' }));
    const fresh = await seed(5);
    const actions = createRetentionActions(store, { root, lengths: { standardDays: 180, extendedYears: 7 }, logger });
    expect((await actions.deleteEarly(fresh, 'customer asked', 'admin')).ok).toBe(true);
    expect((await read()).map((v, i) => v - (before[i] ?? 0))).toEqual([2, 1, 3000, 1]);
  });

  it('ends consistent after a run killed between deleting files and updating rows', async () => {
    const ids = [];
    for (let i = 0; i < 7; i++) ids.push(await seed(200 + i));
    // Files larger than their rows say: a tombstone must record what was on the volume.
    for (const id of ids)
      fs.writeFileSync(path.join(root, (await store.recordings.get(id))?.filePath ?? ''), Buffer.alloc(1234));
    let batches = 0;
    const crash = {
      afterDelete: () => {
        if (++batches === 2) throw new Error('killed');
      },
    };
    await expect(runRetention(store, deps({ hooks: crash }), { trigger: 'cron' })).rejects.toThrow('killed');
    // The killed batch: files gone, rows `purging` (MySQL's locked batch rolled back, then marked
    // them), their tombstones open (a tombstone is open while its recording is not purged).
    const open = await db
      .knex('recording_tombstones as rt')
      .join('recordings', 'recordings.id', 'rt.recording_id')
      .whereNot('recordings.state', 'purged')
      .pluck('rt.recording_id');
    expect(open).toHaveLength(3);
    const states = await Promise.all(open.map((id: number) => stateOf(Number(id))));
    expect(states).toEqual(open.map(() => 'purging'));
    for (const id of open) expect(await fileOf(Number(id))).toBe(false);
    const rerun = done(await runRetention(store, deps(), { trigger: 'cron' }));
    expect(rerun).toMatchObject({ purged: 4, missingFiles: 3, errors: 0 });
    if (kind === 'mysql') {
      // The killed batch wrote its tombstones whole before its unlink: they keep what it deleted.
      for (const id of open)
        expect(await store.recordings.get(Number(id))).toMatchObject({
          state: 'purged',
          bytesFreed: 1234,
          purgeReason: 'retention expired',
        });
    }
    expect(await Promise.all(ids.map(stateOf))).toEqual(ids.map(() => 'purged'));
    await expectConsistent();
    const first = (await store.retentionRuns.recent(5)).find((r) => r.id !== rerun.id);
    expect(first).toMatchObject({ state: 'failed' });
  });

  it('leaves a symlinked recording completed and without a tombstone when its batch is killed', async () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'callrec-outside-'));
    fs.writeFileSync(path.join(outside, 'target.wav'), Buffer.alloc(1000));
    fs.symlinkSync(path.join(outside, 'target.wav'), path.join(root, 'link.wav'));
    const link = await seed(300, { filePath: 'link.wav', file: false });
    const fine = [await seed(250), await seed(240)];
    const crash = {
      afterDelete: () => {
        throw new Error('killed');
      },
    };
    await expect(runRetention(store, deps({ hooks: crash }), { trigger: 'cron' })).rejects.toThrow('killed');
    const rerun = done(await runRetention(store, deps(), { trigger: 'cron' }));
    expect(rerun).toMatchObject({ errors: 1 });
    expect(await stateOf(link)).toBe('completed');
    expect(await db.knex('recording_tombstones').where({ recording_id: link })).toEqual([]);
    expect(await Promise.all(fine.map(stateOf))).toEqual(['purged', 'purged']);
    expect(fs.existsSync(path.join(outside, 'target.wav'))).toBe(true);
  });

  it('changes a purged recording row only in its state: the tombstone is a row of its own', async () => {
    for (let i = 0; i < 4; i++) await seed(200 + i);
    const sets: string[] = [];
    const watch = (q: { sql: string }) => {
      const m = /^update `recordings` set (.*?) where/i.exec(q.sql);
      if (m) sets.push((m[1] ?? '').replace(/ = \?/g, ''));
    };
    db.knex.on('query', watch);
    try {
      expect(done(await runRetention(store, deps(), { trigger: 'cron' }))).toMatchObject({ purged: 4, errors: 0 });
    } finally {
      db.knex.off('query', watch);
    }
    // Growing the row (five tombstone columns from null) made InnoDB rewrite and log whole pages.
    expect(new Set(sets)).toEqual(new Set(['`state`, `updated_at`']));
    const stones = await db.knex('recording_tombstones').whereNotNull('purged_at');
    expect(stones).toHaveLength(4);
    const one = (await store.recordings.get(Number(stones[0].recording_id)))!;
    expect(one).toMatchObject({
      state: 'purged',
      purgedBy: expect.stringMatching(/^retention-run:/),
      bytesFreed: 1000,
    });
    expect(one.purgedAt).toBeInstanceOf(Date);
  });

  if (kind === 'mysql') {
    it('makes a hold placed while a batch has the row locked wait, then find it purged', async () => {
      const id = await seed(200);
      let hold: Promise<unknown> | undefined;
      const during = {
        afterDelete: async () => {
          // Not awaited: it waits on the batch's row lock, which the batch holds until its commit.
          hold = store.retention.patchWithEvent(
            id,
            { onHold: false, states: ['completed', 'failed'] },
            { on_hold: true, hold_reason: 'case 9', hold_by: 'legal' },
            { callId, type: 'held', actor: 'legal', detail: {} },
          );
          // Time for the hold to reach the row: unlocked, it would be placed now.
          await new Promise((r) => setTimeout(r, 200));
        },
      };
      expect(done(await runRetention(store, deps({ hooks: during }), { trigger: 'cron' }))).toMatchObject({
        purged: 1,
      });
      expect(await hold).toBeNull();
      expect(await store.recordings.get(id)).toMatchObject({ state: 'purged', onHold: false });
    });

    it('reports a recording held after an interrupted batch began on it, and finishes the others', async () => {
      const ids = [await seed(200), await seed(201), await seed(202)];
      const crash = {
        afterDelete: () => {
          throw new Error('killed');
        },
      };
      await expect(runRetention(store, deps({ hooks: crash }), { trigger: 'cron' })).rejects.toThrow('killed');
      // A kill -9 leaves them `completed` (the failed batch's own fallback to `purging` never ran).
      await db.knex('recordings').whereIn('id', ids).update({ state: 'completed' });
      await db.knex('recordings').where({ id: ids[1] }).update({ on_hold: true, hold_reason: 'case 10' });
      const rerun = done(await runRetention(store, deps(), { trigger: 'cron' }));
      expect(rerun).toMatchObject({ purged: 2, missingFiles: 2, errors: 1 });
      expect(rerun.errorDetail).toContain(`#${ids[1]}: an interrupted purge had begun on it, and it is now held`);
      expect(await store.recordings.get(ids[1]!)).toMatchObject({ state: 'completed', onHold: true });
      expect(await stateOf(ids[0]!)).toBe('purged');
    });

    it('deletes no file and leaves no row purging when its tombstones cannot be written', async () => {
      const ids = [await seed(200), await seed(201)];
      await db.knex.raw(
        "create trigger rt_refuse before insert on recording_tombstones for each row signal sqlstate '45000' set message_text = 'injected: tombstones refused'",
      );
      try {
        await expect(runRetention(store, deps(), { trigger: 'cron' })).rejects.toThrow('tombstones refused');
      } finally {
        await db.knex.raw('drop trigger rt_refuse');
      }
      for (const id of ids) {
        expect(await stateOf(id)).toBe('completed');
        expect(await fileOf(id)).toBe(true);
      }
      expect(await db.knex('recording_tombstones').count({ n: '*' })).toEqual([{ n: 0 }]);
    });

    it('keeps a recording whose retention was lengthened after a killed batch began on it', async () => {
      const ids = [await seed(200), await seed(201)];
      const kill = {
        afterDelete: () => {
          throw new Error('killed');
        },
      };
      await expect(runRetention(store, deps({ hooks: kill }), { trigger: 'cron' })).rejects.toThrow('killed');
      await db.knex('recordings').whereIn('id', ids).update({ state: 'completed' }); // as a kill -9 leaves them
      // Read while killed: the tombstone says who began, not yet when or how much.
      expect(await store.recordings.get(ids[0]!)).toMatchObject({ purgedAt: null, bytesFreed: null });
      await db
        .knex('recordings')
        .where({ id: ids[0] })
        .update({ tier: 'extended', retain_until: new Date(NOW.getTime() + 365 * DAY) });
      const rerun = done(await runRetention(store, deps(), { trigger: 'cron' }));
      expect(rerun).toMatchObject({ purged: 1, errors: 1 });
      expect(await stateOf(ids[0]!)).toBe('completed');
      expect(await stateOf(ids[1]!)).toBe('purged');
    });
  }

  it('writes the run counters after each batch, so a run that dies shows what it did', async () => {
    for (let i = 0; i < 8; i++) await seed(200 + i);
    const seen: number[] = [];
    let batches = 0;
    const crash = {
      afterDelete: async () => {
        seen.push((await store.retentionRuns.recent(1))[0]?.purged ?? -1);
        if (++batches === 3) throw new Error('killed');
      },
    };
    await expect(runRetention(store, deps({ hooks: crash, progressEveryMs: 0 }), { trigger: 'cron' })).rejects.toThrow(
      'killed',
    );
    expect(seen).toEqual([0, 3, 6]);
  });

  it('writes the counters of fast batches at most once per interval, and the exact totals at the end', async () => {
    for (let i = 0; i < 8; i++) await seed(200 + i);
    const seen: number[] = [];
    const watch = {
      afterDelete: async () => {
        seen.push((await store.retentionRuns.recent(1))[0]?.purged ?? -1);
      },
    };
    const run = done(await runRetention(store, deps({ hooks: watch, progressEveryMs: 60_000 }), { trigger: 'cron' }));
    // The first batch saves (none saved yet), the next two fall inside the interval.
    expect(seen).toEqual([0, 3, 3]);
    expect(run.purged).toBe(8);
  });

  it('claims a whole batch in one transaction, and only the rows a hold has not won', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) ids.push(await seed(200 + i));
    const claim = { runId: 77, by: 'retention-run:77', reason: 'retention expired' };
    let statements = 0;
    const count = () => void statements++;
    db.knex.on('query', count);
    try {
      expect((await store.retention.claim(ids, claim, NOW)).sort((a, b) => a - b)).toEqual(ids);
      // Begin, the locking read, the UPDATE, the tombstones, commit: however many rows.
      expect(statements).toBeLessThanOrEqual(5);
      await db.knex('recordings').where({ state: 'purging' }).update({ state: 'completed' });
      await db.knex('recordings').where({ id: ids[1] }).update({ on_hold: true });
      statements = 0;
      expect((await store.retention.claim(ids, claim, NOW)).sort((a, b) => a - b)).toEqual([ids[0], ids[2]]);
      expect(statements).toBeLessThanOrEqual(5);
      expect(await stateOf(ids[1]!)).toBe('completed');
    } finally {
      db.knex.off('query', count);
    }
  });

  it('leaves a row whose file was sealed since it was read for the next run, not its old name', async () => {
    const id = await seed(210);
    const [row] = await db.knex('recordings').where({ id }).select('file_path');
    const read = String(row.file_path);
    // The at-rest worker seals it between the purge's read and its claim.
    await db
      .knex('recordings')
      .where({ id })
      .update({ file_path: `${read}.enc` });
    const claim = { runId: 78, by: 'retention-run:78', reason: 'retention expired' };
    expect(await store.retention.claim([id], claim, NOW, new Map([[id, read]]))).toEqual([]);
    expect(await stateOf(id)).toBe('completed');
    expect(await store.retention.claim([id], claim, NOW, new Map([[id, `${read}.enc`]]))).toEqual([id]);
  });

  // better-sqlite3's errors come from the realm of the first test file that loaded it, so in a
  // shared worker they fail `toThrow`'s instanceof Error: compare messages.
  const failure = (p: Promise<unknown>) =>
    p.then(
      () => 'resolved',
      (e: Error) => String(e.message),
    );

  /** A logger whose lines the test reads. */
  const capture = () => {
    const lines: string[] = [];
    const stream = new PassThrough();
    stream.on('data', (c: Buffer) => lines.push(...c.toString().trim().split('\n')));
    return { lines, logger: createLogger({ level: 'info', format: 'json', stream }) };
  };

  it('logs a run whose row cannot be written, and releases the lock it took', async () => {
    await seed(200);
    const log = capture();
    await db.knex.schema.renameTable('retention_runs', 'retention_runs_away');
    try {
      expect(await failure(runRetention(store, deps({ logger: log.logger }), { trigger: 'cron' }))).toMatch(
        /retention_runs/,
      );
    } finally {
      await db.knex.schema.renameTable('retention_runs_away', 'retention_runs');
    }
    expect(log.lines.some((l) => l.includes('retention run failed to start') && l.includes('"trigger":"cron"'))).toBe(
      true,
    );
    const db2 = openDb(tdb.url);
    try {
      const other = await createStore(db2).retentionRuns.tryLock('someone-else', 60_000);
      expect(other.ok).toBe(true);
      if (other.ok) await other.lock.release();
    } finally {
      await db2.close();
    }
    expect(done(await runRetention(store, deps(), { trigger: 'cron' })).purged).toBe(1);
  });

  (kind === 'sqlite' ? it : it.skip)('records a run that cannot take the lock as a failed run', async () => {
    await db.knex.schema.renameTable('locks', 'locks_away');
    try {
      expect(await failure(runRetention(store, deps({ logger: capture().logger }), { trigger: 'cron' }))).toMatch(
        /locks/,
      );
    } finally {
      await db.knex.schema.renameTable('locks_away', 'locks');
    }
    expect((await store.retentionRuns.recent(1))[0]).toMatchObject({
      state: 'failed',
      trigger: 'cron',
      errorDetail: expect.stringMatching(/^failed to start: .*locks/),
    });
  });

  (kind === 'sqlite' ? it : it.skip)(
    'takes over at once a lock whose holder process is gone, not one whose holder lives',
    async () => {
      await seed(200);
      const dead = spawnSync(process.execPath, ['-e', '0']).pid;
      const lockRow = (pid: number) => ({
        name: LOCK_NAME,
        owner: `pbx2:${os.hostname()}:${pid}:abcdef`,
        acquired_at: NOW,
        expires_at: new Date(Date.now() + 600_000),
      });
      await db.knex('locks').insert(lockRow(process.ppid));
      expect(await runRetention(store, deps(), { trigger: 'cron' })).toMatchObject({ kind: 'locked' });
      await db.knex('locks').delete();
      await db.knex('locks').insert(lockRow(dead));
      const log = capture();
      expect(done(await runRetention(store, deps({ logger: log.logger }), { trigger: 'cron' })).purged).toBe(1);
      expect(log.lines.some((l) => l.includes('retention lock taken over') && l.includes(`:${dead}:`))).toBe(true);
    },
  );

  it('lets exactly one of two concurrent runs purge, and purges each recording once', async () => {
    const ids = [];
    for (let i = 0; i < 12; i++) ids.push(await seed(200 + i));
    const db2 = openDb(tdb.url);
    try {
      const outcomes = await Promise.all([
        runRetention(store, deps(), { trigger: 'cron' }),
        runRetention(createStore(db2), deps(), { trigger: 'cli' }),
      ]);
      expect(outcomes.map((o) => o.kind).sort()).toEqual(['done', 'locked']);
      const again = done(await runRetention(createStore(db2), deps(), { trigger: 'cli' }));
      expect(again.purged).toBe(0);
    } finally {
      await db2.close();
    }
    expect(await purgedEvents(ids)).toEqual(ids.map(() => 1));
  });

  it('purges each recording once even if two runs got past the lock (the claim alone decides)', async () => {
    const ids = [];
    for (let i = 0; i < 12; i++) ids.push(await seed(200 + i));
    const db2 = openDb(tdb.url);
    try {
      const s2 = createStore(db2);
      const noLock = (s: Store) =>
        Object.assign(Object.create(s) as Store, {
          retentionRuns: Object.assign(Object.create(s.retentionRuns), {
            tryLock: async () => ({
              ok: true,
              lock: { owner: 'x', renew: async () => undefined, release: async () => undefined },
            }),
          }),
        });
      const runs = (
        await Promise.all([
          runRetention(noLock(store), deps(), { trigger: 'cron' }),
          runRetention(noLock(s2), deps(), { trigger: 'cli' }),
        ])
      ).map(done);
      expect(runs[0]!.purged + runs[1]!.purged).toBe(12);
    } finally {
      await db2.close();
    }
    expect(await purgedEvents(ids)).toEqual(ids.map(() => 1));
    await expectConsistent();
  });

  it('honours --limit', async () => {
    for (let i = 0; i < 5; i++) await seed(200 + i);
    expect(done(await runRetention(store, deps(), { trigger: 'cli', limit: 2 })).purged).toBe(2);
  });

  it('takes over stuck rows for its run, keeping who claimed them and why', async () => {
    const claimed = await seed(400);
    const bare = await seed(400);
    const early = { runId: 3, by: 'alice', reason: 'deleted early by alice' };
    expect(await store.retention.claim([claimed], early, null)).toEqual([claimed]);
    // An older version's claim: `purging` without a tombstone.
    await db.knex('recordings').where({ id: bare }).update({ state: 'purging' });
    await store.retention.adopt([claimed, bare], { runId: 9, by: 'retention', reason: 'retention: tier expired' });
    const stones = await db
      .knex('recording_tombstones')
      .whereIn('recording_id', [claimed, bare])
      .orderBy('recording_id')
      .select('recording_id', 'purge_run_id', 'purged_by', 'purge_reason');
    expect(
      stones.map((r) => ({ ...r, recording_id: Number(r.recording_id), purge_run_id: Number(r.purge_run_id) })),
    ).toEqual([
      { recording_id: claimed, purge_run_id: 9, purged_by: 'alice', purge_reason: 'deleted early by alice' },
      { recording_id: bare, purge_run_id: 9, purged_by: 'retention', purge_reason: 'retention: tier expired' },
    ]);
  });

  describe('actions', () => {
    const actions = () =>
      createRetentionActions(store, { root, lengths: { standardDays: 180, extendedYears: 7 }, logger });

    it('holds, refuses early deletion while held, releases, then deletes early through the purge path', async () => {
      const id = await seed(5);
      expect(await actions().hold(id, '', 'legal')).toMatchObject({ ok: false, error: { kind: 'invalid' } });
      expect(await actions().hold(id, 'case 42', 'legal')).toMatchObject({
        ok: true,
        value: { onHold: true, holdReason: 'case 42', holdBy: 'legal' },
      });
      expect(await actions().hold(id, 'again', 'legal')).toMatchObject({ ok: false, error: { kind: 'conflict' } });
      expect(await actions().deleteEarly(id, 'customer asked', 'admin')).toMatchObject({
        ok: false,
        error: { kind: 'on-hold' },
      });
      expect(await fileOf(id)).toBe(true);
      expect(await actions().release(id, 'case closed', 'legal')).toMatchObject({ ok: true, value: { onHold: false } });
      expect(await actions().deleteEarly(id, 'customer asked', 'admin')).toMatchObject({
        ok: true,
        value: { state: 'purged', purgedBy: 'admin', bytesFreed: 1000 },
      });
      expect(await fileOf(id)).toBe(false);
      expect((await store.events.forRecording(id)).map((e) => [e.type, e.actor])).toEqual([
        ['held', 'legal'],
        ['released', 'legal'],
        ['deleted', 'admin'],
      ]);
      expect(await actions().deleteEarly(id, 'again', 'admin')).toMatchObject({
        ok: false,
        error: { kind: 'conflict' },
      });
      expect(await actions().hold(999999, 'x', 'y')).toMatchObject({ ok: false, error: { kind: 'not-found' } });
    });

    it('recomputes retain_until from the end on a tier change, audited', async () => {
      const id = await seed(400, { tier: 'extended' });
      const r = await actions().setTier(id, 'standard', 'admin');
      expect(r.ok && r.value.retainUntil!.getTime()).toBe(NOW.getTime() - 400 * DAY + 180 * DAY);
      expect((await store.events.forRecording(id)).map((e) => e.type)).toEqual(['tier-changed']);
      expect(done(await runRetention(store, deps(), { trigger: 'cli' })).purged).toBe(1);
      expect(await actions().setTier(id, 'bogus' as Tier, 'admin')).toMatchObject({
        ok: false,
        error: { kind: 'invalid' },
      });
    });

    it('deletes a month, skipping held recordings', async () => {
      const june = [await seed(3), await seed(4)];
      const held = await seed(5, { hold: true });
      const may = await seed(40);
      const r = await actions().deleteMonth('2027-06', 'campaign ended', 'admin');
      expect(r).toMatchObject({ ok: true, value: { month: '2027-06', purged: 2, skippedOnHold: 1, bytesFreed: 2000 } });
      expect(await Promise.all([...june, held, may].map(stateOf))).toEqual([
        'purged',
        'purged',
        'completed',
        'completed',
      ]);
      expect(await actions().deleteMonth('2027-13', 'x', 'admin')).toMatchObject({
        ok: false,
        error: { kind: 'invalid' },
      });
    });
  });
});
