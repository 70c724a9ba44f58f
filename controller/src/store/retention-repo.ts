// What the purge reads and writes on recordings: candidates in retention order, the atomic claim
// (hold re-checked in the same UPDATE), the tombstone with its audit events, holds and tiers.
import type { Knex } from 'knex';
import type { RecordingRecord, RecordingState, Tier } from '../domain/records';
import type { Dialect } from './db';
import { recordingFromRow } from './recordings-repo';
import { toBool, toDate, toJson, toNum, type Row } from './rows';
import { retryOnDeadlock } from './deadlock-retry';

/** States whose file may be purged: failed ones too (a header-only file is still a file). */
export const PURGEABLE: readonly RecordingState[] = ['completed', 'failed'];

export interface PurgeCandidate {
  id: number;
  callId: number;
  state: RecordingState;
  filePath: string;
  sizeBytes: number | null;
  retainUntil: Date | null;
  purgeRunId: number | null;
}

/** Who claims: a retention run (purge_run_id set) or a user deleting early (purged_by set). */
export interface Claim { runId: number | null; by: string; reason: string }

export interface Tombstone { id: number; callId: number; bytesFreed: number; missing: boolean; resumedFrom?: number | null }

export interface Cursor { retainUntil: Date; id: number }

const CANDIDATE_COLS = ['id', 'call_id', 'state', 'file_path', 'size_bytes', 'retain_until', 'purge_run_id'];

function candidateFromRow(r: Row): PurgeCandidate {
  return {
    id: Number(r.id),
    callId: Number(r.call_id),
    state: String(r.state) as RecordingState,
    filePath: String(r.file_path),
    sizeBytes: toNum(r.size_bytes),
    retainUntil: toDate(r.retain_until),
    purgeRunId: toNum(r.purge_run_id),
  };
}

export class RetentionRepo {
  constructor(private readonly knex: Knex, private readonly dialect: Dialect, private readonly now: () => Date = () => new Date()) {}

  /**
   * Expired, unheld recordings of one state, oldest first, after the cursor. One state per query
   * keeps MySQL walking rec_retention_idx (state, retain_until, id) in order, with no filesort.
   */
  async expired(state: RecordingState, asOf: Date, limit: number, after: Cursor | null): Promise<PurgeCandidate[]> {
    const q = this.knex('recordings').select(CANDIDATE_COLS)
      .where({ state, on_hold: false }).where('retain_until', '<=', asOf);
    if (after) {
      q.andWhere((w) => w.where('retain_until', '>', after.retainUntil)
        .orWhere((w2) => w2.where('retain_until', '=', after.retainUntil).andWhere('id', '>', after.id)));
    }
    const rows = (await q.orderBy([{ column: 'retain_until' }, { column: 'id' }]).limit(limit)) as Row[];
    return rows.map(candidateFromRow);
  }

  async countHeldExpired(asOf: Date): Promise<number> {
    const [row] = (await this.knex('recordings').count({ n: '*' })
      .whereIn('state', [...PURGEABLE]).where({ on_hold: true }).where('retain_until', '<=', asOf)) as Row[];
    return Number(row?.n ?? 0);
  }

  /** Finished recordings that never got a retain_until (older finalizers): fixed up by the run. */
  async withoutRetainUntil(limit: number, afterId: number): Promise<Array<PurgeCandidate & { tier: Tier; onHold: boolean; endedAt: Date }>> {
    const rows = (await this.knex('recordings').select([...CANDIDATE_COLS, 'tier', 'on_hold', 'ended_at', 'started_at', 'created_at'])
      .whereIn('state', [...PURGEABLE]).whereNull('retain_until').where('id', '>', afterId).orderBy('id').limit(limit)) as Row[];
    // A recording with no end time is measured from its start (or its row): never kept forever.
    return rows.map((r) => ({
      ...candidateFromRow(r), tier: String(r.tier) as Tier, onHold: toBool(r.on_hold),
      endedAt: toDate(r.ended_at) ?? toDate(r.started_at) ?? toDate(r.created_at) ?? new Date(0),
    }));
  }

  async setRetainUntil(id: number, at: Date): Promise<void> {
    await this.knex('recordings').where({ id }).whereNull('retain_until').update({ retain_until: at, updated_at: this.now() });
  }

  /** Unheld recordings that started in [from, to), for a month-wide deletion. */
  async startedBetween(from: Date, to: Date, limit: number, afterId: number): Promise<PurgeCandidate[]> {
    const rows = (await this.knex('recordings').select(CANDIDATE_COLS)
      .where('started_at', '>=', from).where('started_at', '<', to).where('id', '>', afterId)
      .whereIn('state', [...PURGEABLE]).where({ on_hold: false }).orderBy('id').limit(limit)) as Row[];
    return rows.map(candidateFromRow);
  }

  async countHeldBetween(from: Date, to: Date): Promise<number> {
    const [row] = (await this.knex('recordings').count({ n: '*' }).where('started_at', '>=', from).where('started_at', '<', to)
      .whereIn('state', [...PURGEABLE]).where({ on_hold: true })) as Row[];
    return Number(row?.n ?? 0);
  }

  /**
   * Marks the rows purging, re-checking state and hold in the same statement: a hold placed after
   * the candidates were read wins. Returns the ids this claim actually got.
   */
  async claim(ids: readonly number[], claim: Claim, expiredAsOf: Date | null): Promise<number[]> {
    if (ids.length === 0) return [];
    const q = this.knex('recordings').whereIn('id', [...ids]).whereIn('state', [...PURGEABLE]).where({ on_hold: false });
    if (expiredAsOf) q.where('retain_until', '<=', expiredAsOf);
    await q.update({ state: 'purging', purge_run_id: claim.runId, purged_by: claim.by, purge_reason: claim.reason, updated_at: this.now() });
    const got = this.knex('recordings').select('id').whereIn('id', [...ids]).where({ state: 'purging', purged_by: claim.by });
    if (claim.runId === null) got.whereNull('purge_run_id'); else got.where({ purge_run_id: claim.runId });
    return ((await got) as Row[]).map((r) => Number(r.id));
  }

  /**
   * Rows left in purging by an interrupted run (any other run: the caller holds the lock), or by
   * an early deletion that has not moved for `staleBefore`.
   */
  async stuckPurging(runId: number, staleBefore: Date, limit: number, afterId: number): Promise<PurgeCandidate[]> {
    const rows = (await this.knex('recordings').select(CANDIDATE_COLS).where({ state: 'purging' }).where('id', '>', afterId)
      .andWhere((w) => w.where((w1) => w1.whereNotNull('purge_run_id').whereNot('purge_run_id', runId))
        .orWhere((w2) => w2.whereNull('purge_run_id').where('updated_at', '<', staleBefore)))
      .orderBy('id').limit(limit)) as Row[];
    return rows.map(candidateFromRow);
  }

  /** Takes over stuck rows for this run so the tombstone names the run that finished them. */
  async adopt(ids: readonly number[], runId: number): Promise<void> {
    if (ids.length === 0) return;
    await this.knex('recordings').whereIn('id', [...ids]).where({ state: 'purging' }).update({ purge_run_id: runId, updated_at: this.now() });
  }

  /**
   * purging -> purged with the tombstone and one audit event per row, in one transaction, only for
   * rows this claim still holds: a row taken over by another purge is tombstoned once, by it.
   */
  async tombstone(all: readonly Tombstone[], claim: Claim, eventType: string): Promise<number> {
    if (all.length === 0) return 0;
    const at = this.now();
    return retryOnDeadlock(() => this.knex.transaction(async (trx) => {
      const q = trx('recordings').select('id', 'wrapped_key').whereIn('id', all.map((r) => r.id)).where({ state: 'purging' });
      if (claim.runId === null) q.whereNull('purge_run_id').where({ purged_by: claim.by }); else q.where({ purge_run_id: claim.runId });
      const heldRows = (await (this.dialect === 'mysql' ? q.forUpdate() : q)) as Row[];
      const held = new Set(heldRows.map((r) => Number(r.id)));
      // Crypto-shredding: the wrapped data key goes with the file, so a copy of the file in a
      // backup taken before today can no longer be decrypted by anyone.
      const keyed = new Set(heldRows.filter((r) => r.wrapped_key !== null).map((r) => Number(r.id)));
      const rows = all.filter((r) => held.has(r.id));
      if (rows.length === 0) return 0;
      const cases = rows.map(() => 'when ? then ?').join(' ');
      const reason = (r: Tombstone) => `${claim.reason}${r.missing ? ' (file already missing)' : ''}${keyed.has(r.id) ? '; data key destroyed' : ''}`.slice(0, 255);
      await trx('recordings').whereIn('id', rows.map((r) => r.id)).update({
        state: 'purged', purged_at: at, purge_run_id: claim.runId, purged_by: claim.by, updated_at: at,
        bytes_freed: trx.raw(`case id ${cases} end`, rows.flatMap((r) => [r.id, r.bytesFreed])),
        purge_reason: trx.raw(`case id ${cases} end`, rows.flatMap((r) => [r.id, reason(r)])),
      });
      if (keyed.size > 0) await trx('recordings').whereIn('id', [...keyed]).update({ wrapped_key: null, key_destroyed_at: at });
      await trx('recording_events').insert(rows.map((r) => ({
        call_id: r.callId, recording_id: r.id, type: eventType, actor: claim.by,
        detail: toJson({ reason: claim.reason, bytesFreed: r.bytesFreed, missingFile: r.missing, ...(r.resumedFrom ? { resumedFrom: r.resumedFrom } : {}), ...(keyed.has(r.id) ? { keyDestroyed: true } : {}) }),
        at,
      })));
      return rows.length;
    }));
  }

  /** Applies a hold/release/tier patch and its audit event together; false if the row moved on. */
  async patchWithEvent(id: number, expect: { onHold?: boolean; states: readonly RecordingState[] }, patch: Row,
    event: { callId: number; type: string; actor: string; detail: Record<string, unknown> }): Promise<RecordingRecord | null> {
    return this.knex.transaction(async (trx) => {
      const at = this.now();
      const q = trx('recordings').where({ id }).whereIn('state', [...expect.states]);
      if (expect.onHold !== undefined) q.where({ on_hold: expect.onHold });
      if (Number(await q.update({ ...patch, updated_at: at })) !== 1) return null;
      await trx('recording_events').insert({ call_id: event.callId, recording_id: id, type: event.type, actor: event.actor, detail: toJson(event.detail), at });
      return recordingFromRow((await trx('recordings').where({ id }).first()) as Row);
    });
  }
}
