// API key names become unique, because the audit trail and `keys list` name keys by them (the
// actor also carries the key id since this change). Names compare without case and trailing
// spaces on both stores, as MySQL's default collation compares them. Existing duplicates are
// kept working: the oldest key keeps the name, later ones become `<name>-<id>`.
import type { Knex } from 'knex';

const norm = (s: string): string => s.trim().toLowerCase();

async function renameDuplicates(knex: Knex): Promise<void> {
  const rows = (await knex('api_keys').orderBy('id').select('id', 'name')) as Array<{
    id: number | string;
    name: string;
  }>;
  const taken = new Set<string>();
  for (const r of rows) {
    const base = r.name.trim();
    let name = base;
    for (let n = 2; taken.has(norm(name)) || (name !== base && rows.some((o) => norm(o.name) === norm(name))); n += 1) {
      name = n === 2 ? `${base}-${r.id}` : `${base}-${r.id}-${n}`;
    }
    taken.add(norm(name));
    if (name !== r.name) await knex('api_keys').where({ id: r.id }).update({ name });
  }
}

export async function up(knex: Knex): Promise<void> {
  await renameDuplicates(knex);
  if (knex.client.config.client === 'better-sqlite3') {
    await knex.raw('create unique index api_keys_name_uq on api_keys (name collate nocase)');
  } else {
    await knex.schema.alterTable('api_keys', (t) => {
      t.unique(['name'], { indexName: 'api_keys_name_uq' });
    });
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('api_keys', (t) => {
    t.dropUnique(['name'], 'api_keys_name_uq');
  });
}
