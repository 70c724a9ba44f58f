// A knex on the MySQL server itself (no database), from the benches' root URL: to create and drop
// the throwaway database each bench fills.
import knexFactory, { type Knex } from 'knex';

export function mysqlAdmin(rootUrl: string): Knex {
  const u = new URL(rootUrl);
  return knexFactory({
    client: 'mysql2',
    connection: {
      host: u.hostname,
      port: Number(u.port || 3306),
      user: decodeURIComponent(u.username),
      password: decodeURIComponent(u.password),
    },
  });
}
