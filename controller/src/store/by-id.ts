// What every table keyed by `id` does alike: read one row, and insert or update it with its
// created_at / updated_at stamps.
import type { Knex } from 'knex';
import type { Row } from './rows';

/** The row with this id as `fromRow` maps it, or null. */
export async function findById<T>(db: Knex, table: string, id: number, fromRow: (r: Row) => T): Promise<T | null> {
  const row = (await db(table).where({ id }).first()) as Row | undefined;
  return row ? fromRow(row) : null;
}

/** The same, for a row that must be there: `what` names it in the error. */
export async function requireById<T>(
  db: Knex,
  table: string,
  id: number,
  fromRow: (r: Row) => T,
  what: string,
): Promise<T> {
  const found = await findById(db, table, id, fromRow);
  if (found === null) throw new Error(`${what} ${id} not found`);
  return found;
}

/** Inserts a row created (and last updated) `at`; its new id. */
export async function insertStamped(db: Knex, table: string, columns: Row, at: Date): Promise<number> {
  const [id] = await db(table).insert({ ...columns, created_at: at, updated_at: at });
  return Number(id);
}

export async function updateStamped(db: Knex, table: string, id: number, columns: Row, at: Date): Promise<void> {
  await db(table)
    .where({ id })
    .update({ ...columns, updated_at: at });
}
