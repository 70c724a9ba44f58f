// A purge's tombstones: opened when a claim takes a recording (who, why; purged_at still null),
// closed when its file is gone (purging -> purged, the data key destroyed, one audit event per row),
// all in one transaction retried on deadlock. The tombstone lives in recording_tombstones, so the
// recordings row itself only changes `state`, in place (see the tombstones migration).
import type { Knex } from 'knex';
import type { Dialect } from './db';
import type { Claim, Tombstone } from './purge-candidates';
import { retryOnDeadlock } from './deadlock-retry';
import { toJson, type Row } from './rows';

/** Who claimed these recordings; a tombstone left open by an earlier claim is taken over. */
export async function openTombstones(db: Knex, ids: readonly number[], claim: Claim): Promise<void> {
  if (ids.length === 0) return;
  await db('recording_tombstones')
    .insert(
      ids.map((id) => ({
        recording_id: id,
        purge_run_id: claim.runId,
        purged_by: claim.by,
        purge_reason: claim.reason,
        purged_at: null,
        bytes_freed: null,
      })),
    )
    .onConflict('recording_id')
    .merge();
}

export const tombstoneReason = (claim: Claim, r: Tombstone, keyed: boolean): string =>
  `${claim.reason}${r.missing ? ' (file already missing)' : ''}${keyed ? '; data key destroyed' : ''}`.slice(0, 255);

/**
 * Closes the tombstones of rows whose file is gone, in the caller's transaction: the rows must be
 * this claim's and locked by it. `keyed`: the rows that had a wrapped data key.
 */
export async function closeTombstones(
  trx: Knex.Transaction,
  rows: readonly Tombstone[],
  keyed: ReadonlySet<number>,
  claim: Claim,
  eventType: string,
  at: Date,
): Promise<void> {
  if (rows.length === 0) return;
  const ids = rows.map((r) => r.id);
  await trx('recordings').whereIn('id', ids).update({ state: 'purged', updated_at: at });
  if (keyed.size > 0)
    await trx('recordings')
      .whereIn('id', [...keyed])
      .update({ wrapped_key: null, key_destroyed_at: at });
  const cases = rows.map(() => 'when ? then ?').join(' ');
  await trx('recording_tombstones')
    .whereIn('recording_id', ids)
    .update({
      purged_at: at,
      purge_run_id: claim.runId,
      purged_by: claim.by,
      bytes_freed: trx.raw(
        `case recording_id ${cases} end`,
        rows.flatMap((r) => [r.id, r.bytesFreed]),
      ),
      purge_reason: trx.raw(
        `case recording_id ${cases} end`,
        rows.flatMap((r) => [r.id, tombstoneReason(claim, r, keyed.has(r.id))]),
      ),
    });
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
        .select('recordings.id', 'recordings.wrapped_key')
        .whereIn(
          'recordings.id',
          all.map((r) => r.id),
        )
        .where('recordings.state', 'purging')
        .whereNull('rt.purged_at');
      if (claim.runId === null) q.whereNull('rt.purge_run_id').where('rt.purged_by', claim.by);
      else q.where('rt.purge_run_id', claim.runId);
      const heldRows = (await (dialect === 'mysql' ? q.forUpdate() : q)) as Row[];
      const held = new Set(heldRows.map((r) => Number(r.id)));
      // Crypto-shredding: the wrapped data key goes with the file, so a copy of the file in a
      // backup taken before today can no longer be decrypted by anyone.
      const keyed = new Set(heldRows.filter((r) => r.wrapped_key !== null).map((r) => Number(r.id)));
      const rows = all.filter((r) => held.has(r.id));
      await closeTombstones(trx, rows, keyed, claim, eventType, at);
      return rows.length;
    }),
  );
}
