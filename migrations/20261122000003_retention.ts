// Retention: a named-lock table so only one purge runs at a time on SQLite (MySQL uses GET_LOCK,
// which a crashed holder's dropped connection releases; a row here needs an expiry instead).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('locks', (t) => {
    t.string('name', 64).primary();
    t.string('owner', 128).notNullable(); // node:pid:run, shown to the run that is refused
    t.datetime('acquired_at', { precision: 3 }).notNullable();
    t.datetime('expires_at', { precision: 3 }).notNullable(); // renewed per batch; a dead holder's row expires
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('locks');
}
