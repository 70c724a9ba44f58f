// How every rules write runs: in one transaction that also bumps settings.rules_version (what each
// controller's RulesService polls), and create-or-replace answering 'exists' for a taken name.
import type { Knex } from 'knex';
import type { Row } from './rows';

export const VERSION_KEY = 'rules_version';

/** create: refuse a name already taken ('exists'); put: create or replace. */
export type PutMode = 'create' | 'put';
export type PutOutcome = 'created' | 'replaced' | 'exists';

class Taken extends Error {}
// A concurrent create that passed the existence check still meets the unique index.
const DUPLICATE_CODES = new Set(['ER_DUP_ENTRY', 'SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY']);
const isTaken = (e: unknown): boolean =>
  e instanceof Taken || DUPLICATE_CODES.has(String((e as { code?: unknown }).code));

/** Runs fn in a transaction (a savepoint when already in one) and bumps the rules version. */
export async function versionedWrite<T>(knex: Knex, now: () => Date, fn: (trx: Knex) => Promise<T>): Promise<T> {
  return knex.transaction(async (trx) => {
    const out = await fn(trx);
    const at = now();
    const n = await trx('settings')
      .where({ key: VERSION_KEY })
      .update({ value: trx.raw('?? + 1', ['value']), updated_at: at });
    if (n === 0) await trx('settings').insert({ key: VERSION_KEY, value: '1', updated_at: at });
    return out;
  });
}

/** One create-or-replace write: `exists` reads the current row, `save` writes (merge when it existed). */
export async function versionedUpsert(
  knex: Knex,
  now: () => Date,
  mode: PutMode,
  exists: (trx: Knex) => Promise<boolean>,
  save: (trx: Knex, merge: boolean) => Promise<void>,
): Promise<PutOutcome> {
  try {
    return await versionedWrite(knex, now, async (trx) => {
      const existed = await exists(trx);
      if (existed && mode === 'create') throw new Taken();
      await save(trx, existed);
      return existed ? 'replaced' : 'created';
    });
  } catch (e) {
    if (isTaken(e)) return 'exists';
    throw e;
  }
}

// Plain inserts on the transaction itself (knex's batchInsert manages its own transaction);
// chunks stay under SQLite's bound-parameter limit.
export async function insertChunked(knex: Knex, table: string, rows: Row[], size = 100): Promise<void> {
  for (let i = 0; i < rows.length; i += size) await knex(table).insert(rows.slice(i, i + size));
}
