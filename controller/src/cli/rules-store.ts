// Opens the store for the rules commands (flows, explain), migrating first when the
// configuration allows it, exactly as `callrec start` does.
import { redactUrl, type Config } from '../config';
import { createStore, migrateLatest, openDb, type Store } from '../store';
import { configOrReport, EXIT_CONFIG, type CliIo } from './io';

export async function withRulesStore(
  io: CliIo,
  name: string,
  fn: (store: Store, cfg: Config) => Promise<number>,
): Promise<number> {
  const cfg = configOrReport(io);
  if (!cfg) return EXIT_CONFIG;
  const db = openDb(cfg.db.url);
  try {
    if (cfg.db.autoMigrate) await migrateLatest(db.knex);
    return await fn(createStore(db), cfg);
  } catch (e) {
    io.err(`callrec ${name}: ${redactUrl(cfg.db.url)}: ${(e as Error).message}`);
    return 1;
  } finally {
    await db.close();
  }
}
