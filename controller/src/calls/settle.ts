// Settling a recording once the PBX closed its file, whoever saw the call end: the registry (the
// session's Finalize) or adoption (a call that ended while the controller was away). The file is
// read (duration, size, SHA-256), the row moves to completed or failed, and once the call row is
// written too, the outcome is counted, queued for encryption at rest and published.
import type { ControllerEvent } from '../domain/session-types';
import type { RecordingRecord, SettledState, Tier } from '../domain/records';
import { retainUntil, type TierLengths } from '../domain/tiers';
import type { Store } from '../store';
import type { RecordingPatch } from '../store/recordings-repo';
import type { Logger } from '../util/logger';
import type { RecordingPublisher } from '../webhooks/publisher';
import { settleDurably, type DurableDeps } from './durable-writes';
import type { FinalizeOptions, FinalizeOutcome } from './finalizer';
import type { CallMetrics } from './observers';
import { localPath } from './paths';
import { LIVE_RECORDING_STATES } from './store-sync';
import type { TrackedCall } from './types';

export interface SettlerDeps {
  store: Store;
  logger: Logger;
  recordingsDir: string;
  tiers: TierLengths;
  finalize(file: string, opts?: FinalizeOptions): Promise<FinalizeOutcome>;
  metrics: CallMetrics;
  /** recording.completed / recording.failed, published once the row says so. */
  publisher?: RecordingPublisher;
  /** Encryption at rest: takes a settled recording off the call path (recordings/at-rest-worker.ts). */
  atRest?: { enqueue(recordingId: number): void };
  /** The bounded writes of a live call (its row may be journaled); null: straight to the store. */
  durable: DurableDeps | null;
}

/** A recording whose file is closed: where it is (under the recordings root) and what its row gets. */
export interface ClosedRecording {
  filePath: string;
  stereo: boolean;
  tier: Tier;
  endedAt: Date | null;
  /** The paused time to store with the outcome; undefined leaves the row's own. */
  pausedMs?: number;
  /** Said before the finalizer's reason when the file is not a recording. */
  failedBecause: string | null;
}

export interface Settled {
  to: SettledState;
  outcome: FinalizeOutcome;
  moved: boolean;
}

type Finalized = Extract<ControllerEvent, { type: 'Finalized' }>;

/** A live call's recording as its session shows it; null when there is no row to settle. */
export function closedRecording(t: TrackedCall): ClosedRecording | null {
  const v = t.session.view();
  const rec = v.recording;
  if (!rec || (t.recRowId === null && !t.journaled)) return null;
  return {
    filePath: rec.file?.relPath ?? rec.pbxFile ?? '',
    stereo: v.decision?.stereo ?? false,
    tier: v.decision?.tier ?? 'standard',
    endedAt: rec.endedAt,
    pausedMs: rec.pausedMs,
    failedBecause: rec.state === 'pending' || rec.startedAt === null ? 'never confirmed by the PBX' : null,
  };
}

/** A stored recording whose call ended while the controller was away. */
export function closedRow(r: RecordingRecord): ClosedRecording {
  return {
    filePath: r.filePath,
    stereo: r.channels === 2,
    tier: r.tier,
    endedAt: r.endedAt,
    failedBecause: 'ended while the controller was away',
  };
}

export class RecordingSettler {
  constructor(private readonly d: SettlerDeps) {}

  /**
   * Reads the file and moves the row (a tracked call's, or a stored one by id); `moved` is false
   * when the row was no longer live or the move went to the journal.
   */
  async settle(row: TrackedCall | number, rec: ClosedRecording): Promise<Settled> {
    const outcome = await this.d.finalize(localPath(rec.filePath, this.d.recordingsDir), { stereo: rec.stereo });
    const endedAt = rec.endedAt ?? new Date();
    const paused = rec.pausedMs === undefined ? {} : { pausedMs: rec.pausedMs };
    const patch: RecordingPatch = outcome.ok
      ? {
          durationMs: outcome.durationMs,
          sizeBytes: outcome.sizeBytes,
          sha256: outcome.sha256,
          endedAt,
          ...paused,
          retainUntil: retainUntil(endedAt, rec.tier, this.d.tiers),
        }
      : {
          failureReason: (rec.failedBecause ? `${rec.failedBecause}; ${outcome.reason}` : outcome.reason).slice(0, 255),
          endedAt,
          ...paused,
        };
    const to: SettledState = outcome.ok ? 'completed' : 'failed';
    return { to, outcome, moved: await this.move(row, to, patch) };
  }

  private move(row: TrackedCall | number, to: SettledState, patch: RecordingPatch): Promise<boolean> {
    if (typeof row === 'number') return this.d.store.recordings.transition(row, LIVE_RECORDING_STATES, to, patch);
    if (this.d.durable) return settleDurably(this.d.durable, this.d.store, row, to, patch);
    return this.d.store.recordings.transition(row.recRowId ?? 0, LIVE_RECORDING_STATES, to, patch);
  }

  /**
   * The session's Finalize: the event its session gets, and what to do once that event's writes
   * are done (announce); null when the call has no recording row to settle.
   */
  async finalize(t: TrackedCall): Promise<{ event: Finalized; after: () => Promise<void> } | null> {
    const rec = closedRecording(t);
    if (!rec) return null;
    const s = await this.settle(t, rec);
    const o = s.outcome;
    this.d.logger.info(o.ok ? 'recording completed' : 'recording failed', {
      callId: t.pbxCallId,
      recordingId: t.recRowId,
      file: rec.filePath,
      ...(o.ok ? { durationMs: o.durationMs } : { reason: o.reason }),
    });
    const event: Finalized = {
      type: 'Finalized',
      callId: t.pbxCallId,
      at: new Date(),
      outcome: s.to,
      reason: o.ok ? null : o.reason,
    };
    return {
      event,
      after: async () => {
        if (s.moved && t.recRowId !== null) await this.announce(t.recRowId, s.to);
      },
    };
  }

  /** After the row says completed or failed (and the call row is written): count, encrypt and publish it. */
  async announce(recordingId: number, state: SettledState): Promise<void> {
    this.d.metrics.recordingSettled(state);
    this.d.atRest?.enqueue(recordingId);
    try {
      await this.d.publisher?.publish(recordingId, state === 'completed' ? 'recording.completed' : 'recording.failed');
    } catch (x) {
      // The recording is safe in the store; POST /api/recordings/:id/resync can publish it later.
      this.d.logger.error(`could not queue the recording.${state} webhook: ${(x as Error).message}`, { recordingId });
    }
  }
}
