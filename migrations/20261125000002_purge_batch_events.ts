// A locked purge batch (MySQL) writes one `purged` audit event for its recordings, not one each:
// each tombstone names that event. Per-row events cost the purge a row and three secondary index
// entries per recording, in a table that only grows (docs/performance.md, "Ninth pass"). The
// trail's readers show each recording its own view of the batch's event (EventsRepo).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // Guarded: on MySQL a DDL commits at once, so a failed attempt can be run again. Instant on
  // MariaDB (a nullable column at the end).
  if (await knex.schema.hasColumn('recording_tombstones', 'event_id')) return;
  await knex.schema.alterTable('recording_tombstones', (t) => {
    // No index and no foreign key: read only through its tombstone (by recording id). A batch that
    // rolled back leaves its tombstones naming an event never committed, until the run that
    // finishes them names theirs.
    t.bigInteger('event_id').unsigned();
  });
}

export async function down(knex: Knex): Promise<void> {
  if (!(await knex.schema.hasColumn('recording_tombstones', 'event_id'))) return;
  await knex.schema.alterTable('recording_tombstones', (t) => {
    t.dropColumn('event_id');
  });
}
