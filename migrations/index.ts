// The ordered list of migrations. knex reads them through this source (not by scanning a folder)
// so the same files run from the compiled build, from tests and from the CLI.
import type { Knex } from 'knex';
import * as initial from './20261122000001_initial';
import * as policy from './20261122000002_policy';
import * as retention from './20261122000003_retention';
import * as recordingAgents from './20261123000001_recording_agents';
import * as uniqueKeyNames from './20261123000004_unique_key_names';
import * as atRest from './20261123000006_at_rest';
import * as areaCodeOverrides from './20261123201300_area_code_overrides';
import * as holdCases from './20261124000001_hold_cases';
import * as userModes from './20261124100000_user_modes';
import * as tombstones from './20261125000001_tombstones';
import * as purgeBatchEvents from './20261125000002_purge_batch_events';

interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

export const MIGRATIONS: ReadonlyArray<readonly [string, Migration]> = [
  ['20261122000001_initial', initial],
  ['20261122000002_policy', policy],
  ['20261122000003_retention', retention],
  ['20261123000001_recording_agents', recordingAgents],
  ['20261123000004_unique_key_names', uniqueKeyNames],
  ['20261123000006_at_rest', atRest],
  ['20261123201300_area_code_overrides', areaCodeOverrides],
  ['20261124000001_hold_cases', holdCases],
  ['20261124100000_user_modes', userModes],
  ['20261125000001_tombstones', tombstones],
  ['20261125000002_purge_batch_events', purgeBatchEvents],
];

export const migrationSource: Knex.MigrationSource<readonly [string, Migration]> = {
  getMigrations: async () => [...MIGRATIONS],
  getMigrationName: (m) => m[0],
  getMigration: async (m) => m[1],
};
