// Users and their recording modes (flows.yaml `users:`): one row per agent id the PBX reports.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  const mysql = knex.client.config.client !== 'better-sqlite3';
  await knex.schema.createTable('user_modes', (t) => {
    // Ids match exactly, as on SQLite: MySQL's default collation would make Alice and alice one user.
    const id = t.string('id', 64);
    if (mysql) id.collate('utf8mb4_bin');
    id.primary();
    t.string('name', 128);
    t.string('mode', 24).notNullable();
    t.boolean('pause'); // null: as the mode says
    t.string('tier', 16); // null: the call's rule decides
    t.datetime('updated_at', { precision: 3 }).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('user_modes');
}
