// A litigation hold may name the case it is for, so a case's recordings can be found and released
// together. One case per recording: a recording already held stays under its first hold.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('recordings', (t) => {
    t.string('hold_case', 64);
    // Like the other search filters: (col, started_at, id) keeps a search by case one range scan.
    t.index(['hold_case', 'started_at', 'id'], 'rec_hold_case_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('recordings', (t) => {
    t.dropIndex(['hold_case', 'started_at', 'id'], 'rec_hold_case_idx');
    t.dropColumn('hold_case');
  });
}
