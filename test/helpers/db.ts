// Real databases for tests: a fresh SQLite file and a fresh MariaDB/MySQL database per suite.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory from 'knex';
import { createStore, migrateLatest, openDb, type Db, type Store } from '../../controller/src/store';

export const MYSQL_ROOT_URL = process.env.CALLREC_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';

export interface TestDb {
  kind: 'sqlite' | 'mysql';
  url: string;
  drop(): Promise<void>;
}

export async function createMysqlDatabase(prefix = 'callrec_t'): Promise<TestDb> {
  const name = `${prefix}_${crypto.randomBytes(5).toString('hex')}`;
  const admin = knexFactory({ client: 'mysql2', connection: adminConnection() });
  try {
    await admin.raw(`create database \`${name}\` character set utf8mb4 collate utf8mb4_unicode_ci`);
  } finally {
    await admin.destroy();
  }
  return {
    kind: 'mysql',
    url: `${MYSQL_ROOT_URL.replace(/\/$/, '')}/${name}`,
    drop: async () => {
      const k = knexFactory({ client: 'mysql2', connection: adminConnection() });
      try {
        await k.raw(`drop database if exists \`${name}\``);
      } finally {
        await k.destroy();
      }
    },
  };
}

function adminConnection() {
  const u = new URL(MYSQL_ROOT_URL);
  return {
    host: u.hostname,
    port: Number(u.port || 3306),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
  };
}

export function createSqliteDatabase(): TestDb {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callrec-sqlite-'));
  return {
    kind: 'sqlite',
    url: `sqlite:${path.join(dir, 'callrec.sqlite3')}`,
    drop: async () => {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Both store kinds, for `describe.each(STORE_KINDS)`. */
export const STORE_KINDS = ['sqlite', 'mysql'] as const;

export function createTestDb(kind: 'sqlite' | 'mysql'): Promise<TestDb> {
  return kind === 'sqlite' ? Promise.resolve(createSqliteDatabase()) : createMysqlDatabase();
}

export interface TestStore {
  tdb: TestDb;
  db: Db;
  store: Store;
  dispose(): Promise<void>;
}

/** callrec's store over a migrated fresh database of `kind` (or `tdb`); dispose closes and drops it. */
export async function openTestStore(kind: 'sqlite' | 'mysql', tdb?: TestDb): Promise<TestStore> {
  const t = tdb ?? (await createTestDb(kind));
  const db = openDb(t.url);
  await migrateLatest(db.knex);
  return {
    tdb: t,
    db,
    store: createStore(db),
    dispose: async () => {
      await db.close();
      await t.drop();
    },
  };
}
