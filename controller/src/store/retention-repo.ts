// What the purge reads and writes on recordings: candidates in retention order, the atomic claim
// (hold re-checked in the same UPDATE), the tombstone with its audit events, holds and tiers.
import type { Knex } from 'knex';
import type { RecordingRecord, RecordingState, Tier } from '../domain/records';
import type { Dialect } from './db';
import {
  CANDIDATE_COLS,
  candidateFromRow,
  expiredRows,
  PURGEABLE,
  stillPurgeable,
  type Claim,
  type Cursor,
  type PurgeCandidate,
  type Tombstone,
} from './purge-candidates';
import { recordingFromRow, recordingRows } from './recordings-repo';
import { retryOnDeadlock } from './deadlock-retry';
import { purgeLockedBatch, type LockedBatch, type LockedFiles, type LockedQuery } from './purge-locked';
import { adoptTombstones, backToPurging, openTombstones, writeTombstones } from './retention-tombstone';
import { toBool, toDate, toJson, type Row } from './rows';

export { PURGEABLE, type Claim, type Cursor, type PurgeCandidate, type Tombstone } from './purge-candidates';
export type { LockedBatch, LockedFiles, LockedQuery } from './purge-locked';

export class RetentionRepo {
  constructor(
    private readonly knex: Knex,
    private readonly dialect: Dialect,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Expired, unheld recordings of one state, oldest first, after the cursor. */
  async expired(state: RecordingState, asOf: Date, limit: number, after: Cursor | null): Promise<PurgeCandidate[]> {
    const rows = (await expiredRows(this.knex, { state, asOf, limit, after }).select(CANDIDATE_COLS)) as Row[];
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
   * Marks the rows purging, re-checking state and hold under the rows' locks: a hold placed after
   * the candidates were read wins. `paths`: the file each row had when read; a row whose file
   * changed since (sealed at rest: x.wav became x.wav.enc) is left for the next run, which reads
   * the file it has now; deleting the old name would leave the sealed file behind, tombstoned as
   * purged. Who claimed goes to the row's tombstone (purged_at still null). Returns the ids got.
   */
  async claim(
    ids: readonly number[],
    claim: Claim,
    expiredAsOf: Date | null,
    paths?: ReadonlyMap<number, string>,
  ): Promise<number[]> {
    if (ids.length === 0) return [];
    return retryOnDeadlock(() =>
      this.knex.transaction(async (trx) => {
        const q = stillPurgeable(trx('recordings').select('id'), expiredAsOf);
        if (paths)
          q.whereIn(
            ['id', 'file_path'],
            [...new Set(ids)].map((id) => [id, paths.get(id) ?? '']),
          );
        else q.whereIn('id', [...ids]);
        const got = ((await (this.dialect === 'mysql' ? q.forUpdate() : q)) as Row[]).map((r) => Number(r.id));
        if (got.length === 0) return [];
        await trx('recordings').whereIn('id', got).update({ state: 'purging', updated_at: this.now() });
        await openTombstones(trx, got, claim);
        return got;
      }),
    );
  }

  /**
   * Rows left in purging by an interrupted run (any other run: the caller holds the lock), or by
   * an early deletion that has not moved for `staleBefore`.
   */
  async stuckPurging(runId: number, staleBefore: Date, limit: number, afterId: number): Promise<PurgeCandidate[]> {
    const rows = (await this.knex('recordings')
      .leftJoin('recording_tombstones as rt', 'rt.recording_id', 'recordings.id')
      .select([...CANDIDATE_COLS.map((c) => `recordings.${c}`), 'rt.purge_run_id'])
      .where('recordings.state', 'purging')
      .where('recordings.id', '>', afterId)
      .andWhere((w) =>
        w
          .where((w1) => w1.whereNotNull('rt.purge_run_id').whereNot('rt.purge_run_id', runId))
          .orWhere((w2) => w2.whereNull('rt.purge_run_id').where('recordings.updated_at', '<', staleBefore)),
      )
      .orderBy('recordings.id')
      .limit(limit)) as Row[];
    return rows.map(candidateFromRow);
  }

  /**
   * A locked batch (purge-locked.ts) killed after writing its tombstones leaves its rows
   * `completed`. Of the rows tombstoned by these dead `runs`, those still unheld and expired go
   * back to `purging` under the dead run, so stuckPurging finishes them; the ids of the others
   * (held or kept longer since: their file may be gone) are returned for the run to report.
   */
  async reopenInterrupted(asOf: Date, runs: readonly number[]): Promise<number[]> {
    if (runs.length === 0) return [];
    const ids = (
      await this.knex('recording_tombstones as rt')
        .join('recordings', 'recordings.id', 'rt.recording_id')
        .whereIn('rt.purge_run_id', [...runs])
        .whereIn('recordings.state', [...PURGEABLE])
        .pluck('rt.recording_id')
    ).map(Number);
    const left: number[] = [];
    for (let i = 0; i < ids.length; i += 500) {
      const some = ids.slice(i, i + 500);
      await backToPurging(this.knex, some, asOf, this.now());
      const rows = (await this.knex('recordings')
        .select('id')
        .whereIn('id', some)
        .whereIn('state', [...PURGEABLE])) as Row[];
      left.push(...rows.map((r) => Number(r.id)));
    }
    return left;
  }

  /**
   * Takes over stuck rows (still `purging`) for this run, so the tombstone names the run that
   * finished them; a row without a tombstone (an older version's claim) gets one.
   */
  async adopt(ids: readonly number[], claim: Claim): Promise<void> {
    if (ids.length === 0) return;
    const stuck = (
      await this.knex('recordings')
        .whereIn('id', [...ids])
        .where({ state: 'purging' })
        .pluck('id')
    ).map(Number);
    await adoptTombstones(this.knex, stuck, claim);
  }

  /** Whether the nightly purge can lock its batch (MySQL): purgeLocked, one write per row. */
  get locksRows(): boolean {
    return this.dialect === 'mysql';
  }

  /** One batch of the nightly purge in one transaction (store/purge-locked.ts). */
  async purgeLocked(q: LockedQuery, claim: Claim, files: LockedFiles): Promise<LockedBatch> {
    return purgeLockedBatch({ knex: this.knex, now: this.now, q, claim, eventType: 'purged', files });
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
      return recordingFromRow((await recordingRows(trx).where('recordings.id', id).first()) as Row);
    });
  }
}
