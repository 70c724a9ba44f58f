// What the purge reads and writes on recordings: candidates in retention order, the atomic claim
// (hold re-checked in the same UPDATE), the tombstone with its audit events, holds and tiers.
import type { Knex } from 'knex';
import type { RecordingRecord, RecordingState, Tier } from '../domain/records';
import type { Dialect } from './db';
import {
  CANDIDATE_COLS,
  candidateFromRow,
  PURGEABLE,
  type Claim,
  type Cursor,
  type PurgeCandidate,
  type Tombstone,
} from './purge-candidates';
import { recordingFromRow } from './recordings-repo';
import { writeTombstones } from './retention-tombstone';
import { toBool, toDate, toJson, type Row } from './rows';

export { PURGEABLE, type Claim, type Cursor, type PurgeCandidate, type Tombstone } from './purge-candidates';

export class RetentionRepo {
  constructor(
    private readonly knex: Knex,
    private readonly dialect: Dialect,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Expired, unheld recordings of one state, oldest first, after the cursor. One state per query
   * keeps MySQL walking rec_retention_idx (state, retain_until, id) in order, with no filesort.
   */
  async expired(state: RecordingState, asOf: Date, limit: number, after: Cursor | null): Promise<PurgeCandidate[]> {
    const q = this.knex('recordings')
      .select(CANDIDATE_COLS)
      .where({ state, on_hold: false })
      .where('retain_until', '<=', asOf);
    if (after) {
      q.andWhere((w) =>
        w
          .where('retain_until', '>', after.retainUntil)
          .orWhere((w2) => w2.where('retain_until', '=', after.retainUntil).andWhere('id', '>', after.id)),
      );
    }
    const rows = (await q.orderBy([{ column: 'retain_until' }, { column: 'id' }]).limit(limit)) as Row[];
    return rows.map(candidateFromRow);
  }

  async countHeldExpired(asOf: Date): Promise<number> {
    const [row] = (await this.knex('recordings')
      .count({ n: '*' })
      .whereIn('state', [...PURGEABLE])
      .where({ on_hold: true })
      .where('retain_until', '<=', asOf)) as Row[];
    return Number(row?.n ?? 0);
  }

  /** Finished recordings that never got a retain_until (older finalizers): fixed up by the run. */
  async withoutRetainUntil(
    limit: number,
    afterId: number,
  ): Promise<Array<PurgeCandidate & { tier: Tier; onHold: boolean; endedAt: Date }>> {
    const rows = (await this.knex('recordings')
      .select([...CANDIDATE_COLS, 'tier', 'on_hold', 'ended_at', 'started_at', 'created_at'])
      .whereIn('state', [...PURGEABLE])
      .whereNull('retain_until')
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(limit)) as Row[];
    // A recording with no end time is measured from its start (or its row): never kept forever.
    return rows.map((r) => ({
      ...candidateFromRow(r),
      tier: String(r.tier) as Tier,
      onHold: toBool(r.on_hold),
      endedAt: toDate(r.ended_at) ?? toDate(r.started_at) ?? toDate(r.created_at) ?? new Date(0),
    }));
  }

  async setRetainUntil(id: number, at: Date): Promise<void> {
    await this.knex('recordings')
      .where({ id })
      .whereNull('retain_until')
      .update({ retain_until: at, updated_at: this.now() });
  }

  /** Unheld recordings that started in [from, to), for a month-wide deletion. */
  async startedBetween(from: Date, to: Date, limit: number, afterId: number): Promise<PurgeCandidate[]> {
    const rows = (await this.knex('recordings')
      .select(CANDIDATE_COLS)
      .where('started_at', '>=', from)
      .where('started_at', '<', to)
      .where('id', '>', afterId)
      .whereIn('state', [...PURGEABLE])
      .where({ on_hold: false })
      .orderBy('id')
      .limit(limit)) as Row[];
    return rows.map(candidateFromRow);
  }

  async countHeldBetween(from: Date, to: Date): Promise<number> {
    const [row] = (await this.knex('recordings')
      .count({ n: '*' })
      .where('started_at', '>=', from)
      .where('started_at', '<', to)
      .whereIn('state', [...PURGEABLE])
      .where({ on_hold: true })) as Row[];
    return Number(row?.n ?? 0);
  }

  /**
   * Marks the rows purging, re-checking state and hold in the same statement: a hold placed after
   * the candidates were read wins. `paths`: the file each row had when read; a row whose file
   * changed since (sealed at rest: x.wav became x.wav.enc) is left for the next run, which reads
   * the file it has now; deleting the old name would leave the sealed file behind, tombstoned as
   * purged. Returns the ids this claim actually got.
   */
  async claim(
    ids: readonly number[],
    claim: Claim,
    expiredAsOf: Date | null,
    paths?: ReadonlyMap<number, string>,
  ): Promise<number[]> {
    if (ids.length === 0) return [];
    const q = this.knex('recordings')
      .whereIn('state', [...PURGEABLE])
      .where({ on_hold: false });
    if (paths)
      q.whereIn(
        ['id', 'file_path'],
        [...new Set(ids)].map((id) => [id, paths.get(id) ?? '']),
      );
    else q.whereIn('id', [...ids]);
    if (expiredAsOf) q.where('retain_until', '<=', expiredAsOf);
    const changed = await q.update({
      state: 'purging',
      purge_run_id: claim.runId,
      purged_by: claim.by,
      purge_reason: claim.reason,
      updated_at: this.now(),
    });
    // Every id matched the guarded UPDATE, so every one moved to purging under this claim: the
    // read-back (one round trip per batch) is only needed when a hold or another writer won some.
    if (Number(changed) === new Set(ids).size) return [...new Set(ids)];
    const got = this.knex('recordings')
      .select('id')
      .whereIn('id', [...ids])
      .where({ state: 'purging', purged_by: claim.by });
    if (claim.runId === null) got.whereNull('purge_run_id');
    else got.where({ purge_run_id: claim.runId });
    return ((await got) as Row[]).map((r) => Number(r.id));
  }

  /**
   * Rows left in purging by an interrupted run (any other run: the caller holds the lock), or by
   * an early deletion that has not moved for `staleBefore`.
   */
  async stuckPurging(runId: number, staleBefore: Date, limit: number, afterId: number): Promise<PurgeCandidate[]> {
    const rows = (await this.knex('recordings')
      .select(CANDIDATE_COLS)
      .where({ state: 'purging' })
      .where('id', '>', afterId)
      .andWhere((w) =>
        w
          .where((w1) => w1.whereNotNull('purge_run_id').whereNot('purge_run_id', runId))
          .orWhere((w2) => w2.whereNull('purge_run_id').where('updated_at', '<', staleBefore)),
      )
      .orderBy('id')
      .limit(limit)) as Row[];
    return rows.map(candidateFromRow);
  }

  /** Takes over stuck rows for this run so the tombstone names the run that finished them. */
  async adopt(ids: readonly number[], runId: number): Promise<void> {
    if (ids.length === 0) return;
    await this.knex('recordings')
      .whereIn('id', [...ids])
      .where({ state: 'purging' })
      .update({ purge_run_id: runId, updated_at: this.now() });
  }

  /**
   * purging -> purged with the tombstone and one audit event per row, in one transaction, only for
   * rows this claim still holds: a row taken over by another purge is tombstoned once, by it.
   */
  async tombstone(all: readonly Tombstone[], claim: Claim, eventType: string): Promise<number> {
    return writeTombstones(this.knex, this.dialect, this.now, all, claim, eventType);
  }

  /** Applies a hold/release/tier patch and its audit event together; false if the row moved on. */
  async patchWithEvent(
    id: number,
    expect: { onHold?: boolean; states: readonly RecordingState[] },
    patch: Row,
    event: { callId: number; type: string; actor: string; detail: Record<string, unknown> },
  ): Promise<RecordingRecord | null> {
    return this.knex.transaction(async (trx) => {
      const at = this.now();
      const q = trx('recordings')
        .where({ id })
        .whereIn('state', [...expect.states]);
      if (expect.onHold !== undefined) q.where({ on_hold: expect.onHold });
      if (Number(await q.update({ ...patch, updated_at: at })) !== 1) return null;
      await trx('recording_events').insert({
        call_id: event.callId,
        recording_id: id,
        type: event.type,
        actor: event.actor,
        detail: toJson(event.detail),
        at,
      });
      return recordingFromRow((await trx('recordings').where({ id }).first()) as Row);
    });
  }
}
