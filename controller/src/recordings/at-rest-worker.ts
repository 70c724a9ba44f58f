// Encrypts completed recordings off the call path: the registry hands over ids, a bounded pool
// seals them, and a reconcile pass (at start, then periodically) picks up whatever a crash, an
// error or an older version left in the backlog.
import type { Store } from '../store';
import type { Logger } from '../util/logger';
import { sealRecording, type SealHooks, type SealOutcome, type SealTranscode } from './at-rest';
import type { Keyring } from './keyring';

export interface AtRestMetrics {
  sealed(outcome: SealOutcome['kind'], bytes: number): void;
}

export interface AtRestOptions {
  store: Store;
  root: string;
  keyring: Keyring;
  logger: Logger;
  workers: number;
  /** How often the backlog is swept for rows the queue missed; 0 disables the timer. */
  reconcileEveryMs?: number;
  hooks?: SealHooks;
  metrics?: AtRestMetrics;
  /** Transcode before sealing (recordings/transcode.ts); absent: stored as the PBX wrote them. */
  transcode?: SealTranscode;
}

export interface ReconcileCounts {
  sealed: number;
  cleaned: number;
  missing: number;
  lost: number;
  errors: number;
}

const PAGE = 200;

export class AtRestWorker {
  private readonly queue: number[] = [];
  private readonly queued = new Set<number>();
  private readonly running = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly o: AtRestOptions) {}

  start(): void {
    void this.reconcile().catch((e: Error) => this.o.logger.error(`encryption backlog pass failed: ${e.message}`));
    const every = this.o.reconcileEveryMs ?? 10 * 60_000;
    if (every > 0) {
      this.timer = setInterval(() => {
        void this.reconcile().catch((e: Error) => this.o.logger.error(`encryption backlog pass failed: ${e.message}`));
      }, every);
      this.timer.unref();
    }
  }

  /** A recording just settled: seal it as soon as a worker is free. */
  enqueue(recordingId: number): void {
    if (this.stopped || this.queued.has(recordingId)) return;
    this.queued.add(recordingId);
    this.queue.push(recordingId);
    this.pump();
  }

  /** Queues the whole backlog and waits until it has been through the pool once. */
  async reconcile(): Promise<ReconcileCounts> {
    const counts: ReconcileCounts = { sealed: 0, cleaned: 0, missing: 0, lost: 0, errors: 0 };
    let after = 0;
    for (;;) {
      const page = await this.o.store.atRest.backlog(after, PAGE);
      if (page.length === 0 || this.stopped) break;
      after = page[page.length - 1]?.id ?? after;
      // A bounded page at a time, through the same pool: a large backlog never floods memory.
      const outcomes = await Promise.all(page.map((r) => this.sealNow(r.id)));
      for (const o of outcomes) if (o) counts[o.kind === 'error' ? 'errors' : o.kind] += 1;
    }
    if (counts.sealed + counts.cleaned + counts.errors > 0)
      this.o.logger.info('encryption backlog pass done', { ...counts });
    return counts;
  }

  /** Stops taking work and waits for files in flight (a kill here is what reconcile is for). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    for (const id of this.queue.splice(0)) {
      this.queued.delete(id);
      for (const w of this.waiters.get(id) ?? []) w(null);
      this.waiters.delete(id);
    }
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  /** Resolves once nothing is queued or running (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running.size > 0 || this.queue.length > 0) await Promise.allSettled([...this.running]);
  }

  private waiters = new Map<number, Array<(o: SealOutcome | null) => void>>();

  private sealNow(id: number): Promise<SealOutcome | null> {
    return new Promise((resolve) => {
      if (this.stopped) {
        resolve(null);
        return;
      }
      this.waiters.set(id, [...(this.waiters.get(id) ?? []), resolve]);
      if (!this.queued.has(id)) this.enqueue(id);
    });
  }

  private pump(): void {
    while (!this.stopped && this.running.size < this.o.workers && this.queue.length > 0) {
      const id = this.queue.shift() as number;
      const job = this.runOne(id).finally(() => {
        this.running.delete(job);
        this.queued.delete(id);
        this.pump();
      });
      this.running.add(job);
    }
  }

  private async runOne(id: number): Promise<void> {
    let outcome: SealOutcome | null = null;
    try {
      const rec = await this.o.store.recordings.get(id);
      if (
        rec &&
        rec.storedBytes === null &&
        (rec.state === 'completed' || rec.state === 'failed' || (rec.state === 'purged' && rec.keyId !== null))
      ) {
        outcome = await sealRecording(
          {
            store: this.o.store,
            root: this.o.root,
            keyring: this.o.keyring,
            hooks: this.o.hooks,
            transcode: this.o.transcode,
          },
          rec,
        );
        this.report(id, outcome);
      }
    } catch (e) {
      outcome = { kind: 'error', detail: (e as Error).message };
      this.report(id, outcome);
    }
    for (const w of this.waiters.get(id) ?? []) w(outcome);
    this.waiters.delete(id);
  }

  private report(recordingId: number, o: SealOutcome): void {
    this.o.metrics?.sealed(o.kind, o.kind === 'sealed' ? o.storedBytes : 0);
    if (o.kind === 'error')
      this.o.logger.error(`could not encrypt recording ${recordingId}: ${o.detail}`, { recordingId });
    else if (o.kind === 'sealed')
      this.o.logger.info('recording encrypted', { recordingId, storedBytes: o.storedBytes });
    else if (o.kind === 'cleaned') this.o.logger.info('leftover plaintext removed', { recordingId });
    else if (o.kind === 'missing') this.o.logger.warn('recording has no file to encrypt', { recordingId });
  }
}
