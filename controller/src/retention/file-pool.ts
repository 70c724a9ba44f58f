// The recordings volume as the purge and the at-rest worker reach it: each pass over a batch's
// files goes to worker threads, which run it with synchronous calls (files.ts). On the
// controller's own loop, a batch of 150 files was 450 promise round trips through libuv's pool,
// and its bursts took both cores from the calls and inserts beside it (docs/performance.md,
// "Ninth pass"); a thread does the same work in one message each way, one file at a time. A
// large pass is split over two threads: one could not unlink as fast as the purge must ("Tenth pass").
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { FileOutcome, FileReply, FileRequest, Located } from './files';

type Pending = { resolve: (r: FileReply) => void; reject: (e: Error) => void };

/**
 * Started on first use; kept alive by the passes it has under way only, so it never holds a
 * process open; stopped after `idleMs` without one, so its memory goes back after a purge.
 */
export class FilePool {
  private worker: Worker | null = null;
  private seq = 0;
  private readonly pending = new Map<number, Pending>();
  private idle: NodeJS.Timeout | null = null;

  constructor(private readonly idleMs = 30_000) {}

  /** Whether a worker thread is up (tests). */
  get running(): boolean {
    return this.worker !== null;
  }

  async locate(root: string, paths: readonly string[]): Promise<Located[]> {
    const r = await this.send({ id: 0, op: 'locate', root, paths: [...paths] });
    if (!('located' in r)) throw new Error('the file worker answered a locate with something else');
    return r.located;
  }

  async remove(root: string, paths: readonly string[], dryRun: boolean): Promise<FileOutcome[]> {
    const r = await this.send({ id: 0, op: 'remove', root, paths: [...paths], dryRun });
    if (!('removed' in r)) throw new Error('the file worker answered a remove with something else');
    return r.removed;
  }

  private send(req: FileRequest): Promise<FileReply> {
    const id = ++this.seq;
    if (this.idle) clearTimeout(this.idle);
    this.idle = null;
    const w = this.start();
    return new Promise<FileReply>((resolve, reject) => {
      this.pending.set(id, {
        resolve: (r) => ('failed' in r ? reject(new Error(`the file worker failed: ${r.failed}`)) : resolve(r)),
        reject,
      });
      if (this.pending.size === 1) w.ref();
      w.postMessage({ ...req, id });
    });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    // From the build, the compiled worker; from source (tests, benches), the same file through swc.
    const ext = path.extname(__filename);
    const entry = path.join(__dirname, `file-worker${ext}`);
    const execArgv = ext === '.ts' ? ['-r', path.resolve(__dirname, '../../../scripts/swc-register.js')] : [];
    const w = new Worker(entry, { execArgv });
    w.unref();
    w.on('message', (r: FileReply) => this.settle(r));
    w.on('error', (e) => this.fail(w, `the file worker stopped: ${e.message}`));
    w.on('exit', (code) => this.fail(w, `the file worker exited (code ${code})`));
    this.worker = w;
    return w;
  }

  private settle(r: FileReply): void {
    const p = this.pending.get(r.id);
    if (!p) return;
    this.pending.delete(r.id);
    if (this.pending.size === 0) {
      this.worker?.unref();
      this.idle = setTimeout(() => void this.close(), this.idleMs).unref();
    }
    p.resolve(r);
  }

  /** Every pass under way fails (its batch is retried by the next run); the next pass starts a new worker. */
  private fail(w: Worker, why: string): void {
    if (this.worker !== w) return;
    this.worker = null;
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(new Error(why));
  }

  /** Stops the worker (idle, tests, shutdown); passes under way fail; the next pass starts another. */
  async close(): Promise<void> {
    const w = this.worker;
    if (this.idle) clearTimeout(this.idle);
    this.idle = null;
    if (!w) return;
    // Let go of it first: a pass sent while it terminates goes to a new worker, not to this one.
    this.fail(w, 'the file worker was stopped');
    await w.terminate();
  }
}

/** A pass shorter than this per thread stays on one: each thread costs a message each way. */
const MIN_PER_LANE = 32;

/** Two threads where there are two cores: the purge's unlinks, no more, beside the calls. */
export const laneCount = (cores = os.availableParallelism()): number => Math.max(1, Math.min(2, cores));

/**
 * Passes split in order over a few one-thread pools, each started on first use and stopped when
 * idle. A lane that fails fails the whole pass, as one thread's failure did: the batch's rows go
 * to `purging`, where the next run finishes them.
 */
export class FileLanes {
  private readonly lanes: FilePool[];

  constructor(width = laneCount(), idleMs?: number) {
    this.lanes = Array.from({ length: Math.max(1, width) }, () => new FilePool(idleMs));
  }

  /** How many worker threads are up (tests). */
  get threads(): number {
    return this.lanes.filter((l) => l.running).length;
  }

  locate(root: string, paths: readonly string[]): Promise<Located[]> {
    return this.split(paths, (lane, part) => lane.locate(root, part));
  }

  remove(root: string, paths: readonly string[], dryRun: boolean): Promise<FileOutcome[]> {
    return this.split(paths, (lane, part) => lane.remove(root, part, dryRun));
  }

  async close(): Promise<void> {
    await Promise.all(this.lanes.map((l) => l.close()));
  }

  /** Contiguous parts, one per lane used; the answers joined back in the paths' order. */
  private async split<T>(
    paths: readonly string[],
    run: (lane: FilePool, part: string[]) => Promise<T[]>,
  ): Promise<T[]> {
    if (paths.length === 0) return []; // an empty batch: no thread started, no message sent
    const used = Math.min(this.lanes.length, Math.max(1, Math.floor(paths.length / MIN_PER_LANE)));
    const size = Math.ceil(paths.length / used);
    const parts = await Promise.all(
      this.lanes.slice(0, used).map((lane, k) => run(lane, paths.slice(k * size, (k + 1) * size))),
    );
    return parts.flat();
  }
}

/** The process's file workers. */
export const filePool = new FileLanes();
