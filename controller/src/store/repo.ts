// What every repository holds, and what the two tables of the call path (calls, recordings) do
// alike: insert with created/updated stamps, read one row by id, patch it.
import type { Knex } from 'knex';
import { findById, insertStamped, updateStamped } from './by-id';
import { toColumns, type Row } from './rows';

export abstract class Repo {
  constructor(
    protected readonly knex: Knex,
    /** Stamps the rows this repository writes (injected: tests and benches fix it). */
    protected readonly now: () => Date = () => new Date(),
  ) {}
}

/** A table keyed by `id` whose rows carry created_at/updated_at and map to `T`. */
export abstract class StampedRepo<T, New extends object, Patch extends object> extends Repo {
  protected abstract readonly table: string;
  /** Names the row in a "not found" error. */
  protected abstract readonly noun: string;
  /** Fields stored as JSON text. */
  protected readonly jsonFields: readonly string[] = [];
  protected abstract fromRow(row: Row): T;

  async insert(x: New): Promise<T> {
    return this.getOrThrow(await this.insertId(x));
  }

  /** The gate's insert: no read-back, it runs before the caller may go on. */
  async insertId(x: New): Promise<number> {
    return insertStamped(this.knex, this.table, toColumns(x as Record<string, unknown>, this.jsonFields), this.now());
  }

  async get(id: number): Promise<T | null> {
    return findById(this.knex, this.table, id, (r) => this.fromRow(r));
  }

  /** Through `get`, so a repository that reads its rows another way (a join) reads them once. */
  async getOrThrow(id: number): Promise<T> {
    const found = await this.get(id);
    if (found === null) throw new Error(`${this.noun} ${id} not found`);
    return found;
  }

  async update(id: number, patch: Patch): Promise<void> {
    await updateStamped(
      this.knex,
      this.table,
      id,
      toColumns(patch as Record<string, unknown>, this.jsonFields),
      this.now(),
    );
  }
}
