// knex's better-sqlite3 dialect prepares (compiles) every query anew; a call's path runs the same
// few SQL texts each time. This keeps compiled statements per connection, least recently used
// out first, so searches with many filter shapes cannot grow it without bound. Safe here:
// knex only runs them (all/run, never iterate), and SQLite re-prepares a statement by itself
// when the schema changes under it (sqlite3_prepare_v2).
export interface Preparing {
  prepare(sql: string): unknown;
}

export function cacheStatements(conn: Preparing, max = 200): void {
  const compile = conn.prepare.bind(conn);
  const cache = new Map<string, unknown>();
  conn.prepare = (sql: string): unknown => {
    const hit = cache.get(sql);
    if (hit !== undefined) {
      cache.delete(sql);
      cache.set(sql, hit);
      return hit;
    }
    const statement = compile(sql);
    cache.set(sql, statement);
    if (cache.size > max) cache.delete(cache.keys().next().value as string);
    return statement;
  };
}
