// Policy data: the area code table (the admin's own entries; the built-in map is generated data,
// see 20261123201300), the seeded all-party-consent jurisdictions, and the rules version every
// rules write bumps.
import type { Knex } from 'knex';
import { SEEDED_JURISDICTIONS } from '../controller/src/policy/data/jurisdictions';

// Chunks stay under SQLite's bound-parameter limit.
async function insertChunked(knex: Knex, table: string, rows: object[], size = 100): Promise<void> {
  for (let i = 0; i < rows.length; i += size) await knex(table).insert(rows.slice(i, i + size));
}

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('area_codes', (t) => {
    t.string('npa', 3).primary(); // NANP area code, e.g. 310
    t.string('jurisdiction', 16).notNullable(); // e.g. US-CA
    t.datetime('updated_at', { precision: 3 }).notNullable();
  });
  const at = new Date();
  await insertChunked(
    knex,
    'jurisdictions',
    SEEDED_JURISDICTIONS.map((j) => ({
      code: j.code,
      name: j.name,
      all_party_consent: j.allPartyConsent,
      min_consent: j.minConsent,
      updated_at: at,
    })),
  );
  await knex('settings').insert({ key: 'rules_version', value: '1', updated_at: at });
}

export async function down(knex: Knex): Promise<void> {
  await knex('settings').where({ key: 'rules_version' }).delete();
  await knex('jurisdictions')
    .whereIn(
      'code',
      SEEDED_JURISDICTIONS.map((j) => j.code),
    )
    .delete();
  await knex.schema.dropTableIfExists('area_codes');
}
