// What users (through the API and CLI) may do to a recording's retention. Implemented by the
// retention module over the store and the files; early deletion reuses the purge path.
import type { RecordingPublisher } from '../webhooks/publisher';
import type { RecordingRecord, RecordingState, Tier } from '../domain/records';
import { retainUntil, type TierLengths } from '../domain/tiers';
import type { Store } from '../store';
import type { PurgeCandidate } from '../store/retention-repo';
import type { Logger } from '../util/logger';
import { err, ok, type Result } from '../util/result';
import { purgedPublisher, purgeRows } from './purge';

export type RetentionErrorKind = 'not-found' | 'on-hold' | 'invalid' | 'conflict';
export interface RetentionError {
  kind: RetentionErrorKind;
  detail: string;
}

export interface MonthDeletion {
  month: string;
  purged: number;
  skippedOnHold: number;
  bytesFreed: number;
}

export interface RetentionActions {
  hold(recordingId: number, reason: string, actor: string): Promise<Result<RecordingRecord, RetentionError>>;
  release(recordingId: number, reason: string, actor: string): Promise<Result<RecordingRecord, RetentionError>>;
  setTier(recordingId: number, tier: Tier, actor: string): Promise<Result<RecordingRecord, RetentionError>>;
  /** Refused with on-hold while held; otherwise file first, then the tombstone. */
  deleteEarly(recordingId: number, reason: string, actor: string): Promise<Result<RecordingRecord, RetentionError>>;
  /** Every unheld recording that started in the month ("YYYY-MM", UTC). */
  deleteMonth(month: string, reason: string, actor: string): Promise<Result<MonthDeletion, RetentionError>>;
}

export interface RetentionActionDeps {
  root: string;
  lengths: TierLengths;
  logger: Logger;
  batchSize?: number;
  publisher?: RecordingPublisher;
}

const LIVE_OR_GONE = 'is not a finished recording (still recording, or already purged)';

const required = (what: Record<string, string>): RetentionError | null => {
  for (const [name, v] of Object.entries(what)) {
    if (typeof v !== 'string' || v.trim() === '') return { kind: 'invalid', detail: `${name} is required` };
    if (v.length > 255) return { kind: 'invalid', detail: `${name} is longer than 255 characters` };
  }
  return null;
};

/** Why a guarded write did not apply, read back after the fact (never guessed beforehand). */
async function whyNot(store: Store, id: number, wanted: string): Promise<RetentionError> {
  const rec = await store.recordings.get(id);
  if (!rec) return { kind: 'not-found', detail: `recording ${id} does not exist` };
  if (!rec.onHold && wanted === 'held') return { kind: 'conflict', detail: `recording ${id} is not on hold` };
  if (rec.onHold && wanted === 'unheld') return { kind: 'conflict', detail: `recording ${id} is already on hold` };
  if (rec.onHold && wanted !== 'held')
    return {
      kind: 'on-hold',
      detail: `recording ${id} is on hold (${rec.holdReason ?? 'no reason'}, by ${rec.holdBy ?? 'unknown'})`,
    };
  return { kind: 'conflict', detail: `recording ${id} ${LIVE_OR_GONE} (state ${rec.state})` };
}

const NOT_PURGED: readonly RecordingState[] = ['pending', 'recording', 'paused', 'finalizing', 'completed', 'failed'];

export function createRetentionActions(store: Store, deps: RetentionActionDeps): RetentionActions {
  const log = deps.logger;
  const patch = async (
    id: number,
    expect: { onHold?: boolean; states: readonly RecordingState[] },
    cols: Record<string, unknown>,
    type: string,
    actor: string,
    detail: Record<string, unknown>,
    wanted: string,
  ) => {
    const before = await store.recordings.get(id);
    if (!before) return err<RetentionError>({ kind: 'not-found', detail: `recording ${id} does not exist` });
    const after = await store.retention.patchWithEvent(id, expect, cols, {
      callId: before.callId,
      type,
      actor,
      detail: {
        ...detail,
        ...(type === 'released'
          ? {
              heldReason: before.holdReason,
              heldBy: before.holdBy,
              ...(before.holdCase ? { case: before.holdCase } : {}),
            }
          : {}),
      },
    });
    if (!after) return err(await whyNot(store, id, wanted));
    log.info(`recording ${type}`, { callId: before.callId, recordingId: id, actor });
    return ok(after);
  };

  const purgeOne = async (rows: PurgeCandidate[], reason: string, actor: string) =>
    purgeRows(
      store,
      deps.root,
      rows,
      { runId: null, by: actor, reason: `deleted early: ${reason}` },
      {
        dryRun: false,
        trigger: 'early-delete',
        eventType: 'deleted',
        expiredAsOf: null,
        onPurged: purgedPublisher(deps),
      },
    );

  return {
    async hold(id, reason, actor) {
      const bad = required({ reason, actor });
      if (bad) return err(bad);
      return patch(
        id,
        { onHold: false, states: NOT_PURGED },
        { on_hold: true, hold_reason: reason.trim(), hold_by: actor.trim(), hold_at: new Date() },
        'held',
        actor,
        { reason },
        'unheld',
      );
    },
    async release(id, reason, actor) {
      const bad = required({ reason, actor });
      if (bad) return err(bad);
      return patch(
        id,
        { onHold: true, states: NOT_PURGED },
        { on_hold: false, hold_case: null, hold_reason: null, hold_by: null, hold_at: null },
        'released',
        actor,
        { reason },
        'held',
      );
    },
    async setTier(id, tier, actor) {
      const bad = required({ actor });
      if (bad) return err(bad);
      if (tier !== 'standard' && tier !== 'extended')
        return err<RetentionError>({
          kind: 'invalid',
          detail: `tier must be standard or extended (got ${JSON.stringify(tier)})`,
        });
      const rec = await store.recordings.get(id);
      if (!rec) return err<RetentionError>({ kind: 'not-found', detail: `recording ${id} does not exist` });
      if (rec.tier === tier) return ok(rec);
      // Counted from the end of the recording, not from today: moving to standard may make it due now.
      const until = rec.endedAt ? retainUntil(rec.endedAt, tier, deps.lengths) : null;
      return patch(
        id,
        { states: NOT_PURGED },
        { tier, retain_until: until },
        'tier-changed',
        actor,
        { from: rec.tier, to: tier, retainUntil: until?.toISOString() ?? null },
        'any',
      );
    },
    async deleteEarly(id, reason, actor) {
      const bad = required({ reason, actor });
      if (bad) return err(bad);
      const rec = await store.recordings.get(id);
      if (!rec) return err<RetentionError>({ kind: 'not-found', detail: `recording ${id} does not exist` });
      if (rec.onHold) return err(await whyNot(store, id, 'delete'));
      const c = await purgeOne([{ ...rec, purgeRunId: null }], reason.trim(), actor.trim());
      if (c.errors.length > 0)
        return err<RetentionError>({ kind: 'conflict', detail: c.errors[0]?.detail ?? 'not purged' });
      if (c.purged !== 1) return err(await whyNot(store, id, 'delete'));
      log.info('recording deleted early', { callId: rec.callId, recordingId: id, actor, bytesFreed: c.bytesFreed });
      return ok((await store.recordings.get(id)) as RecordingRecord);
    },
    async deleteMonth(month, reason, actor) {
      const bad = required({ reason, actor });
      if (bad) return err(bad);
      const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month ?? '');
      if (!m)
        return err<RetentionError>({ kind: 'invalid', detail: `month must be YYYY-MM (got ${JSON.stringify(month)})` });
      const from = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1));
      const to = new Date(Date.UTC(Number(m[1]), Number(m[2]), 1));
      const out: MonthDeletion = {
        month,
        purged: 0,
        skippedOnHold: await store.retention.countHeldBetween(from, to),
        bytesFreed: 0,
      };
      for (let afterId = 0; ;) {
        const rows = await store.retention.startedBetween(from, to, deps.batchSize ?? 500, afterId);
        if (rows.length === 0) break;
        afterId = rows[rows.length - 1]?.id ?? afterId;
        const c = await purgeOne(rows, reason.trim(), actor.trim());
        out.purged += c.purged;
        out.bytesFreed += c.bytesFreed;
        out.skippedOnHold += c.lost;
      }
      log.info('recordings of a month deleted', { month, actor, purged: out.purged, skippedOnHold: out.skippedOnHold });
      return ok(out);
    },
  };
}
