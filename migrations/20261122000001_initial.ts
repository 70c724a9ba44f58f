// The whole data model of the design. Runs unchanged on MySQL/MariaDB and SQLite: timestamps are
// datetime(3) in UTC on MySQL and epoch milliseconds on SQLite (the store converts on read).
import type { Knex } from 'knex';

const ts = (t: Knex.CreateTableBuilder, name: string) => t.datetime(name, { precision: 3 });

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('calls', (t) => {
    t.bigIncrements('id');
    t.string('node', 64).notNullable();
    t.string('pbx', 16).notNullable();
    t.string('pbx_call_id', 128).notNullable(); // Asterisk channel id / FreeSWITCH uuid
    t.string('direction', 16).notNullable(); // inbound | outbound | internal
    t.string('flow', 64);
    t.string('applet', 64);
    t.string('campaign', 64);
    t.string('from_number', 32); // E.164 when it could be normalized
    t.string('from_raw', 64);
    t.string('to_number', 32);
    t.string('to_raw', 64);
    t.string('agent', 64);
    t.string('language', 16);
    t.string('state', 24).notNullable();
    t.string('record_mode', 16);
    t.string('consent_mode', 16);
    t.string('consent_outcome', 24); // not-required | announced | accepted | declined | opted-out | hung-up | timeout
    t.text('decision'); // JSON: the whole Decision with its reasons
    t.string('fallback_reason', 255);
    t.string('hangup_cause', 64);
    ts(t, 'started_at').notNullable();
    ts(t, 'answered_at');
    ts(t, 'ended_at');
    ts(t, 'created_at').notNullable();
    ts(t, 'updated_at').notNullable();
    t.unique(['node', 'pbx_call_id'], { indexName: 'calls_node_pbx_call_uq' });
    t.index(['started_at'], 'calls_started_idx');
    t.index(['state'], 'calls_state_idx');
  });

  await knex.schema.createTable('recordings', (t) => {
    t.bigIncrements('id');
    t.bigInteger('call_id').unsigned().notNullable().references('id').inTable('calls');
    t.string('state', 16).notNullable(); // pending | recording | paused | finalizing | completed | failed | purging | purged
    t.string('file_path', 512).notNullable(); // relative to the recordings root
    t.string('record_mode', 16).notNullable();
    t.string('tier', 16).notNullable(); // standard | extended
    t.integer('channels').notNullable().defaultTo(1);
    t.boolean('beep').notNullable().defaultTo(false);
    // Call facts copied here so a search over millions of recordings needs one table and one index.
    t.string('direction', 16).notNullable();
    t.string('from_number', 32);
    t.string('to_number', 32);
    t.string('agent', 64);
    t.string('flow', 64);
    t.string('campaign', 64);
    ts(t, 'started_at');
    ts(t, 'ended_at');
    t.integer('duration_ms');
    t.integer('paused_ms').notNullable().defaultTo(0);
    t.bigInteger('size_bytes');
    t.string('sha256', 64);
    t.string('failure_reason', 255);
    ts(t, 'retain_until');
    t.boolean('on_hold').notNullable().defaultTo(false);
    t.string('hold_reason', 255);
    t.string('hold_by', 128);
    ts(t, 'hold_at');
    // Tombstone: what remains after the audio is purged.
    ts(t, 'purged_at');
    t.bigInteger('purge_run_id');
    t.string('purge_reason', 255);
    t.string('purged_by', 128);
    t.bigInteger('bytes_freed');
    ts(t, 'created_at').notNullable();
    ts(t, 'updated_at').notNullable();
    t.index(['call_id'], 'rec_call_idx');
    t.index(['started_at', 'id'], 'rec_started_idx');
    t.index(['from_number', 'started_at', 'id'], 'rec_from_idx');
    t.index(['to_number', 'started_at', 'id'], 'rec_to_idx');
    t.index(['agent', 'started_at', 'id'], 'rec_agent_idx');
    t.index(['flow', 'started_at', 'id'], 'rec_flow_idx');
    t.index(['direction', 'started_at', 'id'], 'rec_direction_idx');
    t.index(['campaign', 'started_at', 'id'], 'rec_campaign_idx');
    t.index(['state', 'retain_until'], 'rec_retention_idx');
  });

  await knex.schema.createTable('recording_events', (t) => {
    t.bigIncrements('id');
    t.bigInteger('call_id').unsigned();
    t.bigInteger('recording_id').unsigned();
    t.string('type', 32).notNullable(); // gated, decided, consent, started, paused, resumed, transfer, listened, held ...
    t.string('actor', 128).notNullable(); // system, or the API key's name/role
    t.text('detail'); // JSON
    ts(t, 'at').notNullable();
    t.index(['recording_id', 'at'], 'rev_recording_idx');
    t.index(['call_id', 'at'], 'rev_call_idx');
    t.index(['type', 'at'], 'rev_type_idx');
  });

  await knex.schema.createTable('flows', (t) => {
    t.bigIncrements('id');
    t.string('name', 64).notNullable().unique('flows_name_uq');
    t.string('description', 255);
    t.boolean('enabled').notNullable().defaultTo(true);
    t.text('defaults'); // JSON: rule fields every applet inherits
    ts(t, 'created_at').notNullable();
    ts(t, 'updated_at').notNullable();
  });

  await knex.schema.createTable('applet_rules', (t) => {
    t.bigIncrements('id');
    t.bigInteger('flow_id').unsigned().notNullable().references('id').inTable('flows').onDelete('CASCADE');
    t.string('applet', 64).notNullable();
    t.string('kind', 32).notNullable(); // dial | round-robin | queue | ivr | voicemail | ...
    t.text('rule'); // JSON: record mode, consent, greeting, pause, tier, beep, stereo
    ts(t, 'created_at').notNullable();
    ts(t, 'updated_at').notNullable();
    t.unique(['flow_id', 'applet'], { indexName: 'applet_rules_flow_applet_uq' });
  });

  await knex.schema.createTable('settings', (t) => {
    t.string('key', 64).primary();
    t.text('value').notNullable(); // JSON
    ts(t, 'updated_at').notNullable();
  });

  await knex.schema.createTable('campaigns', (t) => {
    t.bigIncrements('id');
    t.string('name', 64).notNullable().unique('campaigns_name_uq');
    t.boolean('enabled').notNullable().defaultTo(true);
    t.text('rule'); // JSON: overrides of the outbound setting
    ts(t, 'created_at').notNullable();
    ts(t, 'updated_at').notNullable();
  });

  await knex.schema.createTable('jurisdictions', (t) => {
    t.bigIncrements('id');
    t.string('code', 16).notNullable().unique('jurisdictions_code_uq'); // US-CA, GB, DE ...
    t.string('name', 128).notNullable();
    t.boolean('all_party_consent').notNullable().defaultTo(false);
    t.string('min_consent', 16).notNullable().defaultTo('none');
    ts(t, 'updated_at').notNullable();
  });

  await knex.schema.createTable('api_keys', (t) => {
    t.bigIncrements('id');
    t.string('name', 128).notNullable();
    t.string('prefix', 16).notNullable().unique('api_keys_prefix_uq'); // shown in lists; the lookup key
    t.string('hash', 128).notNullable();
    t.string('role', 16).notNullable(); // admin | supervisor | agent
    t.string('agent', 64);
    ts(t, 'created_at').notNullable();
    ts(t, 'last_used_at');
    ts(t, 'revoked_at');
  });

  await knex.schema.createTable('webhook_deliveries', (t) => {
    t.bigIncrements('id');
    t.bigInteger('recording_id').unsigned();
    t.string('event', 32).notNullable();
    t.string('url', 1024).notNullable();
    t.string('idempotency_key', 128).notNullable();
    t.text('payload').notNullable();
    t.string('state', 16).notNullable(); // pending | delivered | failed
    t.integer('attempts').notNullable().defaultTo(0);
    ts(t, 'next_attempt_at');
    t.integer('last_status');
    t.string('last_error', 512);
    ts(t, 'created_at').notNullable();
    ts(t, 'delivered_at');
    t.index(['state', 'next_attempt_at'], 'wh_due_idx');
    t.index(['recording_id'], 'wh_recording_idx');
  });

  await knex.schema.createTable('retention_runs', (t) => {
    t.bigIncrements('id');
    t.string('node', 64).notNullable();
    t.string('trigger', 16).notNullable(); // cron | cli | disk-guard | manual
    t.boolean('dry_run').notNullable().defaultTo(false);
    t.string('state', 16).notNullable(); // running | finished | failed
    ts(t, 'started_at').notNullable();
    ts(t, 'finished_at');
    t.integer('scanned').notNullable().defaultTo(0);
    t.integer('purged').notNullable().defaultTo(0);
    t.bigInteger('bytes_freed').notNullable().defaultTo(0);
    t.integer('skipped_on_hold').notNullable().defaultTo(0);
    t.integer('missing_files').notNullable().defaultTo(0);
    t.integer('errors').notNullable().defaultTo(0);
    t.text('error_detail');
    t.index(['started_at'], 'rr_started_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'retention_runs',
    'webhook_deliveries',
    'api_keys',
    'jurisdictions',
    'campaigns',
    'settings',
    'applet_rules',
    'flows',
    'recording_events',
    'recordings',
    'calls',
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
}
