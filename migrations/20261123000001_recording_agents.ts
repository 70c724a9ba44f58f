// Every agent who took part in a recording (the one who answered, then each transfer's): each of
// them may list and play it. recordings.agent stays the call's own agent for search and reports.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('recording_agents', (t) => {
    t.bigInteger('recording_id').unsigned().notNullable().references('id').inTable('recordings');
    t.string('agent', 64).notNullable();
    t.primary(['recording_id', 'agent']);
    t.index(['agent', 'recording_id'], 'rec_agents_agent_idx');
  });
  await knex.raw(
    'insert into recording_agents (recording_id, agent) select id, agent from recordings where agent is not null',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('recording_agents');
}
