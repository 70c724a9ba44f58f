// The area_codes table now holds only the admin's own entries: the built-in map is generated from
// libphonenumber (controller/src/policy/data/nanp-area-codes.ts). Remove the rows the policy
// migration used to seed, so they cannot shadow a later data update; rows the admin changed stay.
// A controller still running the old code would read the missing rows as "US, no state": upgrade
// every controller sharing the database together.
import type { Knex } from 'knex';
import { AREA_CODE_DATA } from '../controller/src/policy/area-codes';

// What that migration seeded for area codes the data does not know (overlays then only planned).
const SEEDED_NOT_IN_DATA = new Map([
  ['436', 'US-OH'],
  ['483', 'US-AL'],
  ['624', 'US-NY'],
  ['679', 'US-MI'],
  ['837', 'US-CA'],
  ['861', 'US-IL'],
]);

export async function up(knex: Knex): Promise<void> {
  const rows: Array<{ npa: string; jurisdiction: string }> = await knex('area_codes').select('npa', 'jurisdiction');
  const seeded = rows.filter(({ npa, jurisdiction }) => {
    const data = AREA_CODE_DATA.get(npa);
    return data ? data.length === 1 && data[0] === jurisdiction : SEEDED_NOT_IN_DATA.get(npa) === jurisdiction;
  });
  // Under SQLite's bound-parameter limit: the old seed was 363 rows.
  for (let i = 0; i < seeded.length; i += 200)
    await knex('area_codes')
      .whereIn(
        'npa',
        seeded.slice(i, i + 200).map((r) => r.npa),
      )
      .delete();
}

// Nothing to restore: the removed rows said what the data says.
export async function down(): Promise<void> {}
