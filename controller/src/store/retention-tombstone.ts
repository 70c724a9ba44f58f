// purging -> purged for the rows a claim still holds: the tombstone columns, the data key destroyed
// (crypto-shredding), and one audit event per row, all in one transaction retried on deadlock.
import type { Knex } from 'knex';
import type { Dialect } from './db';
import type { Claim, Tombstone } from './purge-candidates';
import { retryOnDeadlock } from './deadlock-retry';
import { toJson, type Row } from './rows';

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
        .select('id', 'wrapped_key')
        .whereIn(
          'id',
          all.map((r) => r.id),
        )
        .where({ state: 'purging' });
      if (claim.runId === null) q.whereNull('purge_run_id').where({ purged_by: claim.by });
      else q.where({ purge_run_id: claim.runId });
      const heldRows = (await (dialect === 'mysql' ? q.forUpdate() : q)) as Row[];
      const held = new Set(heldRows.map((r) => Number(r.id)));
      // Crypto-shredding: the wrapped data key goes with the file, so a copy of the file in a
      // backup taken before today can no longer be decrypted by anyone.
      const keyed = new Set(heldRows.filter((r) => r.wrapped_key !== null).map((r) => Number(r.id)));
      const rows = all.filter((r) => held.has(r.id));
      if (rows.length === 0) return 0;
      const cases = rows.map(() => 'when ? then ?').join(' ');
      const reason = (r: Tombstone) =>
        `${claim.reason}${r.missing ? ' (file already missing)' : ''}${keyed.has(r.id) ? '; data key destroyed' : ''}`.slice(
          0,
          255,
        );
      await trx('recordings')
        .whereIn(
          'id',
          rows.map((r) => r.id),
        )
        .update({
          state: 'purged',
          purged_at: at,
          purge_run_id: claim.runId,
          purged_by: claim.by,
          updated_at: at,
          bytes_freed: trx.raw(
            `case id ${cases} end`,
            rows.flatMap((r) => [r.id, r.bytesFreed]),
          ),
          purge_reason: trx.raw(
            `case id ${cases} end`,
            rows.flatMap((r) => [r.id, reason(r)]),
          ),
        });
      if (keyed.size > 0)
        await trx('recordings')
          .whereIn('id', [...keyed])
          .update({ wrapped_key: null, key_destroyed_at: at });
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
      return rows.length;
    }),
  );
}
