import type { Knex } from 'knex';
import { migrationSource, MIGRATIONS } from '../../../migrations';

const config: Knex.MigratorConfig = { migrationSource, tableName: 'knex_migrations' };

export interface MigrationStep {
  done: number;
  total: number;
  next: string | null;
}

/**
 * With `onStep`, one migration at a time, told before each (`next`) and at the end (`next` null):
 * a migration that rewrites a big table can take minutes, and the operator should see which one.
 */
export async function migrateLatest(knex: Knex, onStep?: (s: MigrationStep) => void): Promise<string[]> {
  if (!onStep) {
    const [, applied] = (await knex.migrate.latest(config)) as [number, string[]];
    return applied;
  }
  const { pending } = await migrationStatus(knex);
  for (const [i, name] of pending.entries()) {
    onStep({ done: i, total: pending.length, next: name });
    await knex.migrate.up(config);
  }
  onStep({ done: pending.length, total: pending.length, next: null });
  return pending;
}

/** Rolls back every migration (down to an empty schema). */
export async function migrateDownAll(knex: Knex): Promise<string[]> {
  const [, reverted] = (await knex.migrate.rollback(config, true)) as [number, string[]];
  return reverted;
}

export async function migrateDownOne(knex: Knex): Promise<string[]> {
  const [, reverted] = (await knex.migrate.down(config)) as unknown as [number, string[]];
  return reverted ?? [];
}

export interface MigrationStatus {
  applied: string[];
  pending: string[];
}

export async function migrationStatus(knex: Knex): Promise<MigrationStatus> {
  const [done, pending] = (await knex.migrate.list(config)) as [
    Array<{ name: string } | string>,
    Array<readonly [string, unknown]>,
  ];
  return {
    applied: done.map((d) => (typeof d === 'string' ? d : d.name)),
    pending: pending.map((p) => p[0]),
  };
}

export const KNOWN_MIGRATIONS = MIGRATIONS.map((m) => m[0]);
