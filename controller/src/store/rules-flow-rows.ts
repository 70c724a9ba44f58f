// A flow's rows: its id by name, its flows row (inserted, or merged when it is replaced) and its
// applet_rules rows (inserted in chunks), each on the caller's transaction.
import type { Knex } from 'knex';
import { ruleFieldsOf, type FlowDocument } from '../policy/document';
import { insertChunked } from './rules-write';
import { toJson, type Row } from './rows';

export async function flowIdOf(trx: Knex, name: string): Promise<number | null> {
  const row = (await trx('flows').select('id').where({ name }).first()) as Row | undefined;
  return row ? Number(row.id) : null;
}

/** Writes the flows row and returns its id. */
export async function writeFlowRow(trx: Knex, name: string, f: FlowDocument, at: Date, merge = true): Promise<number> {
  const insert = trx('flows').insert({
    name,
    description: f.description ?? null,
    enabled: f.enabled ?? true,
    defaults: toJson(f.defaults ?? {}),
    created_at: at,
    updated_at: at,
  });
  await (merge ? insert.onConflict('name').merge(['description', 'enabled', 'defaults', 'updated_at']) : insert);
  const row = (await trx('flows').select('id').where({ name }).first()) as Row;
  return Number(row.id);
}

export async function insertAppletRows(
  trx: Knex,
  flowId: number,
  applets: FlowDocument['applets'],
  at: Date,
): Promise<void> {
  const rows = Object.entries(applets ?? {}).map(([applet, a]) => ({
    flow_id: flowId,
    applet,
    kind: a.kind,
    rule: toJson(ruleFieldsOf(a)),
    created_at: at,
    updated_at: at,
  }));
  await insertChunked(trx, 'applet_rules', rows);
}
