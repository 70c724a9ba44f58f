// Wiring only: build the parts from the configuration, start them, stop them.
import type http from 'node:http';
import type { Config } from './config/types';
import { redactUrl } from './config/load';
import type { CountryCode } from 'libphonenumber-js';
import { createApi } from './api/app';
import { createRetentionActions } from './retention/actions';
import { closeServer, createHttpApp, listen } from './api/server';
import { webRouter } from './api/web';
import { CallRegistry } from './calls/registry';
import { AmiClient, AmiMixMonitorControl } from './pbx/asterisk/ami';
import type { MixMonitorControl } from './pbx/asterisk/mixmonitor-control';
import { createPbxPort } from './pbx/create';
import type { PolicyEngine } from './policy/types';
import { startRetentionSchedule } from './retention/schedule';
import type { PbxPort } from './pbx/port';
import { policySettings, RulesService } from './policy/service';
import { createStore, migrateLatest, openDb, type Store } from './store';
import type { Logger } from './util/logger';
import { promCallMetrics } from './metrics';
import { checkWritable } from './util/storage';
import { WebhookWorker } from './webhooks/worker';

export interface Controller {
  store: Store;
  /** The gate and explain decide through `await rules.engine()`. */
  rules: RulesService;
  pbx: PbxPort;
  server: http.Server;
  calls: CallRegistry;
  /**
   * The call finalizer publishes recording.completed / failed through this; the retention purge
   * takes it as its RecordingPublisher (webhooks/publisher.ts) for recording.purged.
   */
  webhooks: WebhookWorker;
  address: { host: string; port: number };
  stop(): Promise<void>;
}

/** Parts built elsewhere: the policy engine (rules service) and the AMI recorder control. */
export interface ControllerParts {
  policy?: () => Promise<PolicyEngine>;
  mixmon?: MixMonitorControl;
}

export async function startController(cfg: Config, logger: Logger, parts: ControllerParts = {}): Promise<Controller> {
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
  const rules = new RulesService(store.rules, policySettings(cfg));

  const storage = await checkWritable(cfg.recordingsDir);
  if (!storage.ok) logger.error(`recordings directory problem: ${storage.detail}`);

  // Only AMI can mute or stop a MixMonitor outside Stasis (DESIGN.md, Asterisk contract).
  const ami = cfg.pbx === 'asterisk' && !parts.mixmon
    ? new AmiClient({ ...cfg.ami, logger: logger.child({ component: 'ami' }) }) : null;
  const mixmon = parts.mixmon ?? (ami ? new AmiMixMonitorControl(ami) : undefined);
  const pbx = createPbxPort(cfg, logger.child({ component: cfg.pbx }), { mixmon });
  const webhooks = new WebhookWorker(store, { node: cfg.node, ...cfg.webhooks }, logger.child({ component: 'webhooks' }));
  const calls = new CallRegistry({
    port: pbx, store, policy: parts.policy ?? (() => rules.engine()), logger: logger.child({ component: 'calls' }),
    metrics: promCallMetrics, publisher: webhooks,
    settings: {
      node: cfg.node, recordingsDir: cfg.recordingsDir, pbxRecordingsDir: cfg.pbxRecordingsDir || cfg.recordingsDir,
      session: { deadlineMs: cfg.gate.deadlineMs, promptAllowanceMs: 30000, dtmfTimeoutMs: cfg.gate.dtmfTimeoutMs, finalizeGraceMs: 5000, fallback: cfg.gate.fallback, pauseMode: cfg.pauseMode },
      tiers: { standardDays: cfg.retention.standardDays, extendedYears: cfg.retention.extendedYears },
      policyTimeoutMs: 2000,
    },
  });
  calls.start();
  const api = createApi({
    store, logger: logger.child({ component: 'api' }), recordingsDir: cfg.recordingsDir,
    defaultCountry: cfg.defaults.country as CountryCode, bodyLimitBytes: cfg.api.bodyLimitBytes,
    costPerMinute: cfg.reports.costPerMinute, webhooks,
    live: calls,
    retention: createRetentionActions(store, { root: cfg.recordingsDir, lengths: cfg.retention, logger: logger.child({ component: 'retention' }), batchSize: cfg.retention.batchSize, publisher: webhooks }),
  });
  const app = createHttpApp({ logger, pingDb: () => store.ping(), pbxStatus: () => pbx.status(), routers: [...api.routers, { path: '/', router: webRouter() }] });
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
  ami?.start(abort.signal);
  await pbx.start(abort.signal);
  webhooks.start();
  const retention = startRetentionSchedule(cfg, store, logger, webhooks);

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      logger.info('callrec stopping');
      abort.abort();
      await retention.stop();
      await pbx.stop();
      await ami?.stop();
      await calls.stop();
      await closeServer(server);
      await webhooks.stop();
      await db.close();
      logger.info('callrec stopped');
    })();
    return stopping;
  };
  return { store, rules, pbx, server, calls, webhooks, address, stop };
}
