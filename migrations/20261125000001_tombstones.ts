// A purge's tombstone (who, why, when, how many bytes) moves out of `recordings` into its own narrow
// table. Written into the recordings row, those five columns grew a row InnoDB had packed tightly:
// the page was reorganised and logged whole, about 2 KB of redo per purged recording, and the redo
// log's checkpoints then stalled every other writer (docs/performance.md, "Fifth pass"). The purge
// now changes only the row's `state` in place.
import type { Knex } from 'knex';

const COLS = ['purged_at', 'purge_run_id', 'purge_reason', 'purged_by', 'bytes_freed'] as const;

async function dropColumns(knex: Knex, cols: readonly string[]): Promise<void> {
  // Native DROP COLUMN on both (MariaDB: instant; SQLite >= 3.35): none of these is indexed.
  if (knex.client.config.client !== 'better-sqlite3') {
    await knex.raw(`alter table recordings ${cols.map((c) => `drop column ${c}`).join(', ')}`);
  } else {
    for (const c of cols) await knex.raw(`alter table recordings drop column ${c}`);
  }
}

export async function up(knex: Knex): Promise<void> {
  // Each step is guarded: on MySQL every DDL commits at once, so a failed attempt can be run again.
  if (!(await knex.schema.hasTable('recording_tombstones')))
    await knex.schema.createTable('recording_tombstones', (t) => {
      // No foreign key: the purge writes here while it holds the recording's row locked, and a
      // foreign-key check would wait on that lock. Recordings are never deleted, so none dangles.
      t.bigInteger('recording_id').unsigned().notNullable().primary();
      t.bigInteger('purge_run_id');
      t.string('purged_by', 128);
      t.string('purge_reason', 255);
      // A tombstone is open while its recording is not `purged`: a claim's has no purged_at yet.
      t.datetime('purged_at', { precision: 3 });
      t.bigInteger('bytes_freed');
      t.index(['purge_run_id'], 'rt_run_idx'); // a dead run's, reopened by the next run
    });
  if (!(await knex.schema.hasColumn('recordings', 'purged_at'))) return;
  await knex.raw(
    `insert into recording_tombstones (recording_id, purge_run_id, purged_by, purge_reason, purged_at, bytes_freed)
     select id, purge_run_id, purged_by, purge_reason, purged_at, bytes_freed from recordings
     where state in ('purging', 'purged')
       and id not in (select recording_id from recording_tombstones)`,
  );
  await dropColumns(knex, COLS);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('recordings', (t) => {
    t.datetime('purged_at', { precision: 3 });
    t.bigInteger('purge_run_id');
    t.string('purge_reason', 255);
    t.string('purged_by', 128);
    t.bigInteger('bytes_freed');
  });
  const rows = (await knex('recording_tombstones').select('*')) as Array<Record<string, unknown>>;
  for (const r of rows) {
    await knex('recordings').where({ id: r.recording_id }).update({
      purged_at: r.purged_at,
      purge_run_id: r.purge_run_id,
      purge_reason: r.purge_reason,
      purged_by: r.purged_by,
      bytes_freed: r.bytes_freed,
    });
  }
  await knex.schema.dropTable('recording_tombstones');
}
