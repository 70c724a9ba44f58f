// The store's local journal at work: what a call's write becomes when the database is down or
// slower than the bound, and the writer that replays it, in order, once the database answers.
// Each entry is the call's whole state (rows keyed by node + PBX call id and by file path, timeline
// entries by their instant), so replaying one twice, or after the abandoned write did commit after
// all, changes nothing.
import type { RecordingState, SettledState } from '../domain/records';
import type { Store } from '../store';
import type { NewCall } from '../store/calls-repo';
import { JournalFullError, type JournalFile, type JournalStatus } from '../store/journal-file';
import type { NewEvent } from '../store/events-repo';
import type { NewRecording, RecordingPatch } from '../store/recordings-repo';
import { sleep } from '../util/backoff';
import type { Logger } from '../util/logger';
import { isLiveRecording, LIVE_RECORDING_STATES } from './store-sync';

export interface JournalOp {
  node: string;
  pbxCallId: string;
  call: NewCall;
  recording: (Omit<NewRecording, 'callId'> & RecordingPatch) | null;
  /** The finalizer's outcome for the recording. */
  settle: { to: SettledState; patch: RecordingPatch } | null;
  timeline: Array<Omit<NewEvent, 'callId' | 'recordingId'> & { at: Date }>;
}

export interface JournalMetrics {
  status(s: JournalStatus): void;
  full(): void;
  replayed(): void;
}

const FINAL: readonly RecordingState[] = ['completed', 'failed', 'purging', 'purged'];
const DATE_KEYS = new Set(['startedAt', 'answeredAt', 'endedAt', 'retainUntil', 'at']);

/** JSON gave the dates back as strings. */
function revive<T>(v: T): T {
  if (Array.isArray(v)) return v.map(revive) as T;
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v))
    out[k] =
      DATE_KEYS.has(k) && typeof x === 'string' ? new Date(x) : k === 'detail' || k === 'decision' ? x : revive(x);
  return out as T;
}

/** One entry into the database; the recording it settled, if it did. */
export interface Applied {
  callId: number;
  recordingId: number | null;
  settled: SettledState | null;
}

export async function applyJournalOp(store: Store, op: JournalOp): Promise<Applied> {
  return store.transaction(async (tx) => {
    const { node: _n, pbx: _p, pbxCallId: _c, ...callPatch } = op.call;
    const existing = await tx.calls.findByPbxId(op.node, op.pbxCallId);
    const callId = existing?.id ?? (await tx.calls.insertId(op.call));
    if (existing) await tx.calls.update(callId, callPatch);
    let recId: number | null = null;
    if (op.recording) {
      // Only the finalizer's outcome (settle) makes a recording final; a snapshot never does.
      const { state, ...rest } = op.recording;
      const live = FINAL.includes(state) ? 'finalizing' : state;
      const row = (await tx.recordings.forCall(callId)).find((r) => r.filePath === op.recording?.filePath);
      recId = row?.id ?? (await tx.recordings.insertId({ ...rest, state: live, callId }));
      if (row && isLiveRecording(row.state)) await tx.recordings.update(row.id, { ...rest, state: live });
    }
    for (const e of op.timeline) {
      if (!(await tx.events.has(callId, e.type, e.at))) await tx.events.append({ ...e, callId, recordingId: recId });
    }
    if (!op.settle || recId === null) return { callId, recordingId: recId, settled: null };
    const moved = await tx.recordings.transition(recId, LIVE_RECORDING_STATES, op.settle.to, op.settle.patch);
    return { callId, recordingId: recId, settled: moved ? op.settle.to : null };
  });
}

export class JournalWriter {
  private readonly abandoned = new Set<Promise<unknown>>();
  private wake: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly store: Store,
    private readonly file: JournalFile<JournalOp>,
    private readonly logger: Logger,
    private readonly opts: {
      settled?: (recordingId: number, state: SettledState) => Promise<void>;
      /** The rows an entry's call now has (a live call learns its ids). */
      applied?: (pbxCallId: string, a: Applied) => void;
      metrics?: JournalMetrics;
      retryMs?: number;
    } = {},
  ) {}

  /** Writes go here while the journal holds anything: the database gets them in order. */
  get busy(): boolean {
    return this.file.status().depth > 0;
  }

  status(): JournalStatus {
    return this.file.status();
  }

  /** A write that missed the bound: the replay waits for it to finish before reading the database. */
  abandon(p: Promise<unknown>): void {
    const settled = p.then(
      () => undefined,
      () => undefined,
    );
    this.abandoned.add(settled);
    void settled.finally(() => this.abandoned.delete(settled));
  }

  /** Appends (fsync'd); false when the journal is full (logged, counted). */
  append(op: JournalOp): boolean {
    try {
      this.file.append(op);
    } catch (e) {
      if (!(e instanceof JournalFullError)) throw e;
      this.logger.error(e.message, { callId: op.pbxCallId });
      this.opts.metrics?.full();
      return false;
    }
    this.opts.metrics?.status(this.file.status());
    this.wake?.();
    return true;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Waits up to `graceMs` for a replay in progress (a hung database must not hang the shutdown). */
  async stop(graceMs = 2000): Promise<void> {
    this.stopped = true;
    this.wake?.();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.loop,
      new Promise((r) => {
        timer = setTimeout(r, graceMs);
      }),
    ]);
    clearTimeout(timer);
    this.file.close();
  }

  private async run(): Promise<void> {
    let failing = false;
    while (!this.stopped) {
      const entry = this.file.peek();
      if (!entry) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, 1000);
          this.wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        continue;
      }
      if (this.abandoned.size > 0)
        this.logger.debug('journal replay waits for abandoned writes', { writes: this.abandoned.size });
      await Promise.allSettled([...this.abandoned]);
      try {
        this.logger.debug('journal replay', { seq: entry.seq });
        const applied = await applyJournalOp(this.store, revive(entry.op));
        // Stopped meanwhile (the file is closed): the next start replays it again, to no effect.
        if (this.stopped) return;
        this.file.ack(entry.seq);
        this.opts.metrics?.replayed();
        this.opts.metrics?.status(this.file.status());
        if (failing || this.file.status().depth === 0)
          this.logger.info('journal replayed into the database', { seq: entry.seq, left: this.file.status().depth });
        failing = false;
        this.opts.applied?.(entry.op.pbxCallId, applied);
        if (applied.settled && applied.recordingId !== null)
          await this.opts.settled?.(applied.recordingId, applied.settled);
      } catch (e) {
        if (!failing)
          this.logger.warn(`journal replay waits for the database: ${(e as Error).message}`, {
            depth: this.file.status().depth,
          });
        failing = true;
        await sleep(this.opts.retryMs ?? 500);
      }
    }
  }
}
