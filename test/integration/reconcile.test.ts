// Reconciliation of the recordings directory: every audio file gets a row, once; files still being
// written wait; a completed row whose file vanished is failed with the reason.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { reconcileRecordings, type ReconcileDeps } from '../../controller/src/recordings/reconcile';
import { silentLogger } from '../../controller/src/util/logger';
import type { WebhookEvent } from '../../controller/src/webhooks/publisher';
import { runCli } from '../helpers/cli';
import { STORE_KINDS } from '../helpers/db';
import { openHarnessStore, writeWav } from '../helpers/call-harness';
import { salesCall } from '../helpers/rows';

const OLD = new Date(Date.now() - 3600_000);
const FS_UUID = '3f2a9c1e-7b4d-4e8a-9f10-2c3d4e5f6a7b';

const FILES = {
  asterisk: '2026/11/23/20261123101500-2125550123-600-1763900000.42.wav',
  freeswitch: `2026/11/23/20261123101600-1000-unknown-${FS_UUID}.wav`,
  unknownName: 'imports/old-system/call 17.wav',
  zero: '2026/11/23/20261123101700-1001-600-1763900001.7.wav',
  headerOnly: '2026/11/23/20261123101800-1002-600-1763900002.9.wav',
  growing: '2026/11/23/20261123101900-1003-600-1763900003.1.wav',
  heldOpen: '2026/11/23/20261123102000-1004-600-1763900004.2.wav',
};

function plant(dir: string, rel: string, seconds: number | 'empty', mtime: Date = OLD): string {
  const abs = path.join(dir, rel);
  if (seconds === 'empty') {
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, '');
  } else writeWav(abs, seconds);
  fs.utimesSync(abs, mtime, mtime);
  return abs;
}

describe.each(STORE_KINDS)('reconcile the recordings directory (%s)', (kind) => {
  let h: Awaited<ReturnType<typeof openHarnessStore>>;
  let published: Array<[number, WebhookEvent]>;
  let outside: string;
  let fd: number | null = null;
  let deps: ReconcileDeps;

  beforeEach(async () => {
    h = await openHarnessStore(kind);
    published = [];
    outside = fs.mkdtempSync(path.join(os.tmpdir(), 'callrec-outside-'));
    deps = {
      store: h.store,
      root: h.dir,
      node: 'pbx1',
      pbx: 'asterisk',
      tiers: { standardDays: 180, extendedYears: 7 },
      quietMs: 60_000,
      logger: silentLogger(),
      classify: async (f) => (f?.from === '2125550123' ? { tier: 'extended', from: '+12125550123', to: f.to } : null),
      publisher: {
        publish: async (id, ev) => {
          published.push([id, ev]);
          return [];
        },
      },
    };
  });
  afterEach(async () => {
    if (fd !== null) fs.closeSync(fd);
    fd = null;
    fs.rmSync(outside, { recursive: true, force: true });
    await h.dispose();
  });

  async function rowsByPath(): Promise<
    Map<
      string,
      {
        state: string;
        durationMs: number | null;
        tier: string;
        failureReason: string | null;
        callId: number;
        sha256: string | null;
        retainUntil: Date | null;
      }
    >
  > {
    const rows = await h.store.knex('recordings').select('id');
    const out = new Map();
    for (const r of rows as Array<{ id: number }>) {
      const rec = (await h.store.recordings.get(Number(r.id)))!;
      out.set(rec.filePath, rec);
    }
    return out;
  }

  it('gives every audio file a row, in every form, once; leaves files still written for the next pass', async () => {
    plant(h.dir, FILES.asterisk, 3);
    plant(h.dir, FILES.freeswitch, 2);
    plant(h.dir, FILES.unknownName, 1.5);
    plant(h.dir, FILES.zero, 'empty');
    plant(h.dir, FILES.headerOnly, 0);
    plant(h.dir, FILES.growing, 1, new Date());
    fd = fs.openSync(plant(h.dir, FILES.heldOpen, 1), 'r');
    fs.writeFileSync(path.join(h.dir, 'notes.txt'), 'not audio');
    writeWav(path.join(outside, 'secret.wav'), 1);
    fs.symlinkSync(path.join(outside, 'secret.wav'), path.join(h.dir, 'escape.wav'));
    fs.symlinkSync(outside, path.join(h.dir, 'escape-dir'));

    const first = await reconcileRecordings(deps);
    expect(first.busy.sort()).toEqual([FILES.growing, FILES.heldOpen].sort());
    expect(first.refused.sort()).toEqual(['escape-dir', 'escape.wav']);
    let rows = await rowsByPath();
    expect([...rows.keys()].sort()).toEqual(
      [FILES.asterisk, FILES.freeswitch, FILES.unknownName, FILES.zero, FILES.headerOnly].sort(),
    );

    expect(rows.get(FILES.asterisk)).toMatchObject({
      state: 'completed',
      durationMs: 3000,
      tier: 'extended',
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(rows.get(FILES.freeswitch)).toMatchObject({ state: 'completed', durationMs: 2000, tier: 'standard' });
    expect(rows.get(FILES.unknownName)).toMatchObject({ state: 'completed', durationMs: 1500 });
    expect(rows.get(FILES.zero)).toMatchObject({ state: 'failed', failureReason: expect.stringMatching(/empty file/) });
    expect(rows.get(FILES.headerOnly)).toMatchObject({
      state: 'failed',
      failureReason: expect.stringMatching(/header-only/),
      durationMs: null,
    });
    for (const r of rows.values()) expect(r.retainUntil).not.toBeNull();

    const ast = (await h.store.calls.get(rows.get(FILES.asterisk)!.callId))!;
    expect(ast).toMatchObject({
      pbxCallId: '1763900000.42',
      fromNumber: '+12125550123',
      fromRaw: '2125550123',
      toRaw: '600',
      state: 'done',
      consentOutcome: 'fallback',
    });
    expect(ast.startedAt.toISOString()).toBe('2026-11-23T10:15:00.000Z');
    expect(await h.store.calls.get(rows.get(FILES.freeswitch)!.callId)).toMatchObject({
      pbxCallId: FS_UUID,
      fromRaw: '1000',
      toRaw: null,
    });
    const timeline = await h.store.events.forCall(ast.id);
    expect(timeline).toEqual([
      expect.objectContaining({
        type: 'adopted from disk',
        detail: expect.objectContaining({ reason: expect.stringMatching(/no row knew this file/) }),
      }),
    ]);
    expect(published.filter(([, e]) => e === 'recording.completed')).toHaveLength(3);
    expect(published.filter(([, e]) => e === 'recording.failed')).toHaveLength(2);

    const second = await reconcileRecordings(deps);
    expect(second.adopted).toEqual([]);
    expect((await rowsByPath()).size).toBe(5);
    expect(published).toHaveLength(5);

    // Done writing: the next pass takes them.
    fs.closeSync(fd);
    fd = null;
    fs.utimesSync(path.join(h.dir, FILES.growing), OLD, OLD);
    const third = await reconcileRecordings(deps);
    expect(third.adopted.map((a) => a.relPath).sort()).toEqual([FILES.growing, FILES.heldOpen].sort());
    rows = await rowsByPath();
    expect(rows.size).toBe(7);
    expect((await reconcileRecordings(deps)).adopted).toEqual([]);
  });

  it('attaches a file to the call row the gate stored for it, and changes nothing in a dry run', async () => {
    const call = await h.store.calls.insert(salesCall('1763900000.42', { state: 'not_recorded' }));
    plant(h.dir, FILES.asterisk, 1);
    const dry = await reconcileRecordings(deps, { dryRun: true });
    expect(dry.adopted).toMatchObject([{ relPath: FILES.asterisk, state: 'completed', recordingId: null }]);
    expect((await rowsByPath()).size).toBe(0);
    await reconcileRecordings(deps);
    expect((await rowsByPath()).get(FILES.asterisk)).toMatchObject({ callId: call.id, state: 'completed' });
    expect(await h.store.knex('calls').count({ n: '*' })).toEqual([{ n: 1 }]);
  });

  it('gives each file one row when two passes run at once (the schedule and callrec reconcile)', async () => {
    plant(h.dir, FILES.asterisk, 1);
    plant(h.dir, FILES.freeswitch, 1);
    plant(h.dir, FILES.unknownName, 1);
    await Promise.all([reconcileRecordings(deps), reconcileRecordings(deps)]);
    await reconcileRecordings(deps);
    expect([...(await rowsByPath()).keys()].sort()).toEqual(
      [FILES.asterisk, FILES.freeswitch, FILES.unknownName].sort(),
    );
    expect(await h.store.knex('recordings').count({ n: '*' })).toEqual([{ n: 3 }]);
    expect(await h.store.knex('calls').count({ n: '*' })).toEqual([{ n: 3 }]);
  });

  it('adopts nothing while call writes wait in the journal (their rows are coming)', async () => {
    plant(h.dir, FILES.asterisk, 1);
    const r = await reconcileRecordings({ ...deps, waiting: () => true });
    expect(r).toMatchObject({ adopted: [], busy: [FILES.asterisk] });
    expect(r.retryAt).not.toBeNull();
    expect((await reconcileRecordings(deps)).adopted).toHaveLength(1);
  });

  it('fails a completed row whose file vanished, with the reason, but not when the whole directory looks gone', async () => {
    plant(h.dir, FILES.asterisk, 1);
    plant(h.dir, FILES.freeswitch, 1);
    await reconcileRecordings(deps);
    fs.rmSync(path.join(h.dir, FILES.freeswitch));
    const r = await reconcileRecordings(deps);
    expect(r.vanished).toHaveLength(1);
    const rows = await rowsByPath();
    expect(rows.get(FILES.freeswitch)).toMatchObject({
      state: 'failed',
      failureReason: expect.stringMatching(/vanished/),
    });
    expect(rows.get(FILES.asterisk)).toMatchObject({ state: 'completed' });
    expect(published.at(-1)?.[1]).toBe('recording.failed');
    // An empty (unmounted) root: held, not marked.
    fs.rmSync(path.join(h.dir, FILES.asterisk));
    const held = await reconcileRecordings(deps);
    expect(held.vanishedHeld).toMatch(/mounted/);
    expect((await rowsByPath()).get(FILES.asterisk)).toMatchObject({ state: 'completed' });
  });
});

describe('callrec reconcile', () => {
  it('dry-runs, then adopts, and refuses unknown options', async () => {
    const h = await openHarnessStore('sqlite');
    try {
      const env = { CALLREC_DB_URL: h.tdb.url, CALLREC_RECORDINGS_DIR: h.dir, CALLREC_NODE: 'pbx1' };
      plant(h.dir, FILES.asterisk, 2);
      plant(h.dir, FILES.headerOnly, 0);
      expect(await runCli(['reconcile', '--force'], env)).toMatchObject({
        code: 2,
        err: [expect.stringContaining('unknown option "--force"')],
      });
      const dry = await runCli(['reconcile', '--dry-run'], env);
      expect(dry.code).toBe(0);
      expect(dry.out.join('\n')).toMatch(
        /would adopt 2[^]*would adopt 2026\/11\/23\/20261123101500-2125550123-600-1763900000\.42\.wav: completed, tier standard, 2\.0 s[^]*header-only/,
      );
      expect(await h.store.knex('recordings').count({ n: '*' })).toEqual([{ n: 0 }]);
      expect((await runCli(['reconcile'], env)).out[0]).toMatch(/adopted 2/);
      expect((await runCli(['reconcile'], env)).out[0]).toMatch(/2 known, adopted 0/);
    } finally {
      await h.dispose();
    }
  });
});
