import { cacheStatements } from '../../controller/src/store/statement-cache';

// better-sqlite3 ships no types (knex is its only user here): the little this test touches.
interface Statement {
  run(...args: unknown[]): { changes: number };
  get(...args: unknown[]): unknown;
}
interface SqliteDb {
  prepare(sql: string): Statement;
  close(): void;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Database = require('better-sqlite3') as new (file: string) => SqliteDb;

describe('compiled statements kept per SQLite connection', () => {
  it('reuses a statement for the same SQL and evicts the least recently used', () => {
    const db = new Database(':memory:');
    cacheStatements(db, 2);
    const a = db.prepare('select 1');
    const b = db.prepare('select 2');
    expect(db.prepare('select 1')).toBe(a); // used again: now the newest
    db.prepare('select 3'); // evicts "select 2", the least recently used
    expect(db.prepare('select 1')).toBe(a);
    expect(db.prepare('select 2')).not.toBe(b);
    db.close();
  });

  it('keeps working when the schema changes under a cached statement', () => {
    const db = new Database(':memory:');
    cacheStatements(db);
    db.prepare('create table t (a integer)').run();
    const insert = db.prepare('insert into t (a) values (?)');
    insert.run(1);
    db.prepare('alter table t add column b text').run();
    expect(db.prepare('insert into t (a) values (?)')).toBe(insert);
    expect(insert.run(2).changes).toBe(1);
    expect((db.prepare('select count(*) as n from t').get() as { n: number }).n).toBe(2);
    db.close();
  });
});
