// A purge's tombstones: opened when a claim takes a recording (who, why; purged_at still null),
// closed when its file is gone (purging -> purged, the data key destroyed, one audit event per row;
// its event_id back to null, since that event is the row's own),
// all in one transaction retried on deadlock; or, for a locked batch, written whole before its
// unlink. A tombstone is open while its recording is not `purged`. It lives in
// recording_tombstones, so the recordings row itself only changes `state`, in place (see the
// tombstones migration).
import type { Knex } from 'knex';
import type { Dialect } from './db';
import { stillPurgeable, type Claim, type Tombstone } from './purge-candidates';
import { retryOnDeadlock } from './deadlock-retry';
import { toJson, type Row } from './rows';

/**
 * One upsert for every tombstone write: a row already there (an earlier claim's) is taken over,
 * wholly or only in the `merge` columns.
 */
async function putTombstones(
  db: Knex,
  rows: ReadonlyArray<Record<string, unknown>>,
  claim: Claim,
  merge?: string[],
): Promise<void> {
  if (rows.length === 0) return;
  await db('recording_tombstones')
    .insert(rows.map((r) => ({ purge_run_id: claim.runId, purged_by: claim.by, ...r })))
    .onConflict('recording_id')
    .merge(merge);
}

/**
 * Rows of an interrupted locked batch (its tombstones written, its files perhaps gone) to
 * `purging`, where a run finishes them: only those still unheld and expired as of `asOf`.
 */
export async function backToPurging(db: Knex, ids: readonly number[], asOf: Date, at: Date): Promise<void> {
  await stillPurgeable(db('recordings').whereIn('id', [...ids]), asOf).update({ state: 'purging', updated_at: at });
}

/** Stuck `purging` rows taken over by a run: a missing tombstone is opened, an existing one only changes run. */
export async function adoptTombstones(db: Knex, ids: readonly number[], claim: Claim): Promise<void> {
  await putTombstones(
    db,
    ids.map((id) => ({ recording_id: id, purge_reason: claim.reason })),
    claim,
    ['purge_run_id'],
  );
}

/** Who claimed these recordings, why; not yet when or how much (the file is still there). */
export async function openTombstones(db: Knex, ids: readonly number[], claim: Claim): Promise<void> {
  await putTombstones(
    db,
    ids.map((id) => ({ recording_id: id, purge_reason: claim.reason, purged_at: null, bytes_freed: null })),
    claim,
  );
}

export const tombstoneReason = (claim: Claim, r: Tombstone, keyed: boolean): string =>
  `${claim.reason}${r.missing ? ' (file already missing)' : ''}${keyed ? '; data key destroyed' : ''}`.slice(0, 255);

/**
 * Tombstones written whole: a locked batch's before its unlink, naming its batch's `purged` event
 * (`events`, see purge-events.ts); a claim's once its file is gone, whose event is its own row.
 */
export async function writeWholeTombstones(
  db: Knex,
  rows: readonly Tombstone[],
  keyed: ReadonlySet<number>,
  claim: Claim,
  at: Date,
  events?: ReadonlyMap<number, number>,
): Promise<void> {
  await putTombstones(
    db,
    rows.map((r) => ({
      recording_id: r.id,
      purge_reason: tombstoneReason(claim, r, keyed.has(r.id)),
      purged_at: at,
      bytes_freed: r.bytesFreed,
      event_id: events?.get(r.id) ?? null,
    })),
    claim,
  );
}

/**
 * The recordings' side of a purge: `purged`, the data key destroyed, one audit event per row
 * (`eventType` null: a locked batch's events, already written, cover them).
 */
export async function markPurged(
  trx: Knex.Transaction,
  rows: readonly Tombstone[],
  keyed: ReadonlySet<number>,
  claim: Claim,
  eventType: string | null,
  at: Date,
): Promise<void> {
  if (rows.length === 0) return;
  const ids = rows.map((r) => r.id);
  await trx('recordings').whereIn('id', ids).update({ state: 'purged', updated_at: at });
  // Crypto-shredding: the wrapped data key goes with the file, so a copy of the file in a backup
  // taken before today can no longer be decrypted by anyone.
  const shred = ids.filter((id) => keyed.has(id));
  if (shred.length > 0)
    await trx('recordings').whereIn('id', shred).update({ wrapped_key: null, key_destroyed_at: at });
  if (eventType === null) return;
  await trx('recording_events').insert(
    rows.map((r) => ({
      call_id: r.callId,
      recording_id: r.id,
      type: eventType,
      actor: claim.by,
      detail: toJson({
        reason: claim.reason,
        bytesFreed: r.bytesFreed,
        missingFile: r.missing,
        ...(r.resumedFrom ? { resumedFrom: r.resumedFrom } : {}),
        ...(keyed.has(r.id) ? { keyDestroyed: true } : {}),
      }),
      at,
    })),
  );
}

/** Returns how many rows were tombstoned: a row taken over by another purge is left to it. */
export async function writeTombstones(
  knex: Knex,
  dialect: Dialect,
  now: () => Date,
  all: readonly Tombstone[],
  claim: Claim,
  eventType: string,
): Promise<number> {
  if (all.length === 0) return 0;
  const at = now();
  return retryOnDeadlock(() =>
    knex.transaction(async (trx) => {
      const q = trx('recordings')
        .join('recording_tombstones as rt', 'rt.recording_id', 'recordings.id')
        .select('recordings.id', 'recordings.wrapped_key', 'rt.purged_at', 'rt.bytes_freed')
        .whereIn(
          'recordings.id',
          all.map((r) => r.id),
        )
        .where('recordings.state', 'purging');
      if (claim.runId === null) q.whereNull('rt.purge_run_id').where('rt.purged_by', claim.by);
      else q.where('rt.purge_run_id', claim.runId);
      const heldRows = (await (dialect === 'mysql' ? q.forUpdate() : q)) as Row[];
      const held = new Set(heldRows.map((r) => Number(r.id)));
      const keyed = new Set(heldRows.filter((r) => r.wrapped_key !== null).map((r) => Number(r.id)));
      // A locked batch killed after its unlink wrote its tombstone whole: the file the resume finds
      // missing is the one it deleted, so the tombstone keeps what that batch recorded.
      const whole = new Map(
        heldRows.filter((r) => r.purged_at !== null).map((r) => [Number(r.id), Number(r.bytes_freed ?? 0)]),
      );
      const rows = all
        .filter((r) => held.has(r.id))
        .map((r) =>
          r.resumedFrom && r.missing && whole.has(r.id)
            ? { ...r, missing: false, bytesFreed: whole.get(r.id) ?? 0 }
            : r,
        );
      if (rows.length === 0) return 0;
      // Closed with what the unlink found.
      await writeWholeTombstones(trx, rows, keyed, claim, at);
      await markPurged(trx, rows, keyed, claim, eventType, at);
      return rows.length;
    }),
  );
}
