// Wiring only: build the parts from the configuration, start them, stop them.
import type http from 'node:http';
import type { Config } from './config/types';
import { redactUrl } from './config/load';
import { closeServer, createHttpApp, listen } from './api/server';
import { createPbxPort } from './pbx/create';
import { startRetentionSchedule } from './retention/schedule';
import type { PbxPort } from './pbx/port';
import { createStore, migrateLatest, openDb, type Store } from './store';
import type { Logger } from './util/logger';
import { checkWritable } from './util/storage';

export interface Controller {
  store: Store;
  pbx: PbxPort;
  server: http.Server;
  address: { host: string; port: number };
  stop(): Promise<void>;
}

export async function startController(cfg: Config, logger: Logger): Promise<Controller> {
  logger.info('callrec starting', { node: cfg.node, pbx: cfg.pbx, db: redactUrl(cfg.db.url), configFile: cfg.configFile });
  const db = openDb(cfg.db.url);
  try {
    await db.knex.raw('select 1');
    if (cfg.db.autoMigrate) {
      const applied = await migrateLatest(db.knex);
      if (applied.length > 0) logger.info('database migrated', { applied });
    }
  } catch (e) {
    await db.close();
    throw new Error(`database ${redactUrl(cfg.db.url)}: ${(e as Error).message}`);
  }
  const store = createStore(db);

  const storage = await checkWritable(cfg.recordingsDir);
  if (!storage.ok) logger.error(`recordings directory problem: ${storage.detail}`);

  const pbx = createPbxPort(cfg, logger.child({ component: cfg.pbx }));
  const app = createHttpApp({ logger, pingDb: () => store.ping(), pbxStatus: () => pbx.status() });
  let server: http.Server;
  try {
    server = await listen(app, cfg.http.host, cfg.http.port);
  } catch (e) {
    await db.close();
    throw new Error(`HTTP ${cfg.http.host}:${cfg.http.port}: ${(e as Error).message}`);
  }
  const addr = server.address();
  const address = typeof addr === 'object' && addr ? { host: addr.address, port: addr.port } : { host: cfg.http.host, port: cfg.http.port };
  logger.info(`HTTP listening on http://${address.host}:${address.port}`);

  const abort = new AbortController();
  await pbx.start(abort.signal);
  const retention = startRetentionSchedule(cfg, store, logger);

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      logger.info('callrec stopping');
      abort.abort();
      await retention.stop();
      await pbx.stop();
      await closeServer(server);
      await db.close();
      logger.info('callrec stopped');
    })();
    return stopping;
  };
  return { store, pbx, server, address, stop };
}
