// The purge's and the at-rest worker's file passes run in one worker thread (retention/file-pool.ts):
// the same answers as the checks in files.ts, a worker that dies fails only the passes under way,
// and an idle worker never keeps a command's process alive.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileLanes, FilePool, filePool, laneCount } from '../../controller/src/retention/file-pool';
import { WORKER_NICE } from '../../controller/src/retention/files';

const ROOT = path.resolve(__dirname, '../..');

describe('the file worker', () => {
  let root: string;
  let outside: string;

  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'callrec-pool-'));
    outside = fs.mkdtempSync(path.join(os.tmpdir(), 'callrec-pool-out-'));
    fs.mkdirSync(path.join(root, '2027/01'), { recursive: true });
    fs.writeFileSync(path.join(root, '2027/01/a.wav'), Buffer.alloc(10));
    fs.writeFileSync(path.join(outside, 'b.wav'), Buffer.alloc(20));
    fs.symlinkSync(outside, path.join(root, 'out'));
    fs.symlinkSync(path.join(outside, 'b.wav'), path.join(root, 'link.wav'));
  });
  afterAll(() => filePool.close());

  it('locates and removes as files.ts does: links refused, nothing outside the root touched', async () => {
    const paths = ['2027/01/a.wav', '2027/01/none.wav', 'out/b.wav', 'link.wav', '../x.wav', 'nodir/y.wav'];
    const located = await filePool.locate(root, paths);
    expect(located.map((l) => (l.ok ? l.bytes : 'refused'))).toEqual([10, null, 'refused', 'refused', 'refused', null]);
    const removed = await filePool.remove(root, paths, false);
    expect(removed.map((o) => o.kind)).toEqual(['deleted', 'missing', 'error', 'error', 'error', 'missing']);
    expect(fs.existsSync(path.join(root, '2027/01/a.wav'))).toBe(false);
    expect(fs.readFileSync(path.join(outside, 'b.wav'))).toHaveLength(20);
    expect(fs.lstatSync(path.join(root, 'link.wav')).isSymbolicLink()).toBe(true);
  });

  it('reports a root that is not there for each row, rather than each file missing', async () => {
    const [where] = await filePool.locate(path.join(root, 'unmounted'), ['a.wav']);
    expect(where).toEqual({ ok: false, detail: expect.stringContaining('is not available (ENOENT)') });
  });

  it('fails the passes under way when its worker dies, and starts a new one for the next', async () => {
    await filePool.locate(root, ['warm.wav']);
    const many = Array.from({ length: 300_000 }, (_, i) => `d${i % 1000}/f${i}.wav`);
    const under = filePool.locate(root, many);
    await filePool.close();
    await expect(under).rejects.toThrow(/the file worker was stopped/);
    // A pass sent while the worker terminates goes to a new one.
    await filePool.locate(root, ['warm.wav']);
    const closing = filePool.close();
    const next = filePool.locate(root, ['2027/01/none.wav']);
    await closing;
    expect(await next).toEqual([{ ok: true, abs: expect.stringContaining('none.wav'), bytes: null }]);
    expect(await filePool.locate(root, ['2027/01/none.wav'])).toEqual([
      { ok: true, abs: expect.stringContaining('none.wav'), bytes: null },
    ]);
  });

  it("splits a large pass over two threads and answers in the paths' order; a small one stays on one", async () => {
    const dir = path.join(root, 'lanes');
    fs.mkdirSync(dir);
    const paths = Array.from({ length: 100 }, (_, i) => `lanes/f${i}.wav`);
    paths.forEach((p, i) => fs.writeFileSync(path.join(root, p), Buffer.alloc(i)));
    const lanes = new FileLanes(2);
    try {
      expect((await lanes.locate(root, paths.slice(0, 5))).map((l) => l.ok && l.bytes)).toEqual([0, 1, 2, 3, 4]);
      expect(lanes.threads).toBe(1);
      expect((await lanes.locate(root, paths)).map((l) => l.ok && l.bytes)).toEqual(paths.map((_, i) => i));
      expect(lanes.threads).toBe(2);
      const removed = await lanes.remove(root, [...paths, 'out/b.wav'], false);
      expect(removed.map((o) => (o.kind === 'deleted' ? o.bytes : o.kind))).toEqual([
        ...paths.map((_, i) => i),
        'error',
      ]);
      expect(fs.readdirSync(dir)).toEqual([]);
      expect(fs.readFileSync(path.join(outside, 'b.wav'))).toHaveLength(20);
    } finally {
      await lanes.close();
    }
    expect(lanes.threads).toBe(0);
    expect([laneCount(1), laneCount(2), laneCount(16)]).toEqual([1, 2, 2]);
  });

  (process.platform === 'linux' ? it : it.skip)('runs its threads at nice 10, the controller at its own', async () => {
    /** Each thread of this process with its nice value (/proc/<pid>/task/<tid>/stat, field 19). */
    const nices = () =>
      new Map(
        fs.readdirSync('/proc/self/task').map((t) => {
          const stat = fs.readFileSync(`/proc/self/task/${t}/stat`, 'utf8');
          return [t, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])] as const;
        }),
      );
    const lanes = new FileLanes(2);
    try {
      // Compared by thread id: an earlier test's worker may still be exiting, so a count could drop.
      const before = nices();
      await lanes.locate(
        root,
        Array.from({ length: 64 }, (_, i) => `x${i}.wav`),
      );
      const started = [...nices()].filter(([tid]) => !before.has(tid));
      expect(started.filter(([, n]) => n === WORKER_NICE)).toHaveLength(2);
      expect(os.getPriority()).toBe(0);
    } finally {
      await lanes.close();
    }
  });

  it('stops its thread when idle, and starts another for the next pass', async () => {
    const pool = new FilePool(50);
    await pool.locate(root, ['x.wav']);
    expect(pool.running).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    expect(pool.running).toBe(false);
    expect((await pool.locate(root, ['x.wav']))[0]).toMatchObject({ ok: true, bytes: null });
    await pool.close();
  });

  it('keeps a process alive for a pass under way, and never once its passes are done', () => {
    // The second pass is sent to a worker already idle: only that pass keeps the process up for its answer.
    const script = `const { filePool } = require('./controller/src/retention/file-pool.ts');
      filePool.locate(${JSON.stringify(root)}, ['w.wav'])
        .then(() => new Promise((r) => setTimeout(r, 50)))
        .then(() => filePool.locate(${JSON.stringify(root)}, ['x.wav']))
        .then((r) => console.log(JSON.stringify(r)));`;
    const out = spawnSync(process.execPath, ['-r', './scripts/swc-register.js', '-e', script], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(out.signal).toBeNull();
    expect(out.status).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual([{ ok: true, abs: expect.stringContaining('x.wav'), bytes: null }]);
  });
});
