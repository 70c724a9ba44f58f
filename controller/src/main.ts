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
import { filePool } from './retention/file-pool';
import type { PbxPort } from './pbx/port';
import { policySettings, RulesService } from './policy/service';
import { createStore, migrateLatest, openDb, type Store } from './store';
import type { Logger } from './util/logger';
import { promAtRestMetrics, promCallMetrics, promJournalMetrics, promReconcileMetrics } from './metrics';
import { JournalWriter, type JournalOp } from './calls/journal-writer';
import { JournalFile } from './store/journal-file';
import { reconcileDepsFrom } from './recordings/from-config';
import { startReconcileSchedule } from './recordings/reconcile';
import { checkWritable } from './util/storage';
import { WebhookWorker } from './webhooks/worker';
import { AtRestWorker } from './recordings/at-rest-worker';
import { keyringFrom, type Keyring } from './recordings/keyring';
import type { SealTranscode } from './recordings/at-rest';
import { findFfmpeg } from './recordings/transcode';

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
  logger.info('callrec starting', {
    node: cfg.node,
    pbx: cfg.pbx,
    db: redactUrl(cfg.db.url),
    configFile: cfg.configFile,
  });
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
  // Rules written by another process (the CLI, another controller on the same MySQL) apply within a second.
  const rulesPoll = setInterval(() => void rules.refresh(), 1000);
  rulesPoll.unref();

  const storage = await checkWritable(cfg.recordingsDir);
  if (!storage.ok) logger.error(`recordings directory problem: ${storage.detail}`);
  const keyring = await openKeyring(cfg, db, logger);
  const transcode = keyring ? await transcoding(cfg, logger) : undefined;
  const atRest = keyring
    ? new AtRestWorker({
        store,
        root: cfg.recordingsDir,
        keyring,
        workers: cfg.encryption.workers,
        logger: logger.child({ component: 'at-rest' }),
        metrics: promAtRestMetrics,
        transcode,
      })
    : null;

  // Only AMI can mute or stop a MixMonitor outside Stasis (DESIGN.md, Asterisk contract).
  const ami =
    cfg.pbx === 'asterisk' && !parts.mixmon
      ? new AmiClient({ ...cfg.ami, events: 'off', logger: logger.child({ component: 'ami' }) })
      : null;
  const mixmon = parts.mixmon ?? (ami ? new AmiMixMonitorControl(ami) : undefined);
  const pbx = createPbxPort(cfg, logger.child({ component: cfg.pbx }), { mixmon });
  const webhooks = new WebhookWorker(
    store,
    { node: cfg.node, ...cfg.webhooks },
    logger.child({ component: 'webhooks' }),
  );
  const journal = new JournalWriter(
    store,
    JournalFile.open<JournalOp>(cfg.journal.dir, cfg.journal.maxBytes),
    logger.child({ component: 'journal' }),
    {
      metrics: promJournalMetrics,
      settled: async (id, state) => {
        promCallMetrics.recordingSettled(state);
        await webhooks.publish(id, state === 'completed' ? 'recording.completed' : 'recording.failed');
      },
      applied: (pbxCallId, a) => calls.journalApplied(pbxCallId, a.callId, a.recordingId),
    },
  );
  promJournalMetrics.status(journal.status());
  const calls = new CallRegistry({
    port: pbx,
    store,
    policy: parts.policy ?? (() => rules.engine()),
    policyNow: parts.policy ? undefined : () => rules.engineNow(),
    logger: logger.child({ component: 'calls' }),
    metrics: promCallMetrics,
    publisher: webhooks,
    journal: { writer: journal, boundMs: cfg.db.gateTimeoutMs },
    atRest: atRest ?? undefined,
    settings: {
      node: cfg.node,
      recordingsDir: cfg.recordingsDir,
      pbxRecordingsDir: cfg.pbxRecordingsDir || cfg.recordingsDir,
      session: {
        deadlineMs: cfg.gate.deadlineMs,
        promptAllowanceMs: 30000,
        dtmfTimeoutMs: cfg.gate.dtmfTimeoutMs,
        finalizeGraceMs: 5000,
        fallback: cfg.gate.fallback,
        pauseMode: cfg.pauseMode,
      },
      tiers: { standardDays: cfg.retention.standardDays, extendedYears: cfg.retention.extendedYears },
      policyTimeoutMs: 2000,
    },
  });
  calls.start();
  const api = createApi({
    store,
    logger: logger.child({ component: 'api' }),
    recordingsDir: cfg.recordingsDir,
    defaultCountry: cfg.defaults.country as CountryCode,
    bodyLimitBytes: cfg.api.bodyLimitBytes,
    costPerMinute: cfg.reports.costPerMinute,
    webhooks,
    live: calls,
    keyring,
    policy: { pbx: pbx.kind, tierLengths: cfg.retention, engine: () => rules.engine() },
    retention: createRetentionActions(store, {
      root: cfg.recordingsDir,
      lengths: cfg.retention,
      logger: logger.child({ component: 'retention' }),
      batchSize: cfg.retention.batchSize,
      publisher: webhooks,
    }),
  });
  const app = createHttpApp({
    logger,
    trustProxy: cfg.http.trustProxy,
    pingDb: () => store.ping(),
    pbxStatus: () => pbx.status(),
    journal: () => journal.status(),
    routers: [...api.routers, { path: '/', router: webRouter() }],
  });
  let server: http.Server;
  try {
    server = await listen(app, cfg.http.host, cfg.http.port);
  } catch (e) {
    await db.close();
    throw new Error(`HTTP ${cfg.http.host}:${cfg.http.port}: ${(e as Error).message}`);
  }
  const addr = server.address();
  const address =
    typeof addr === 'object' && addr
      ? { host: addr.address, port: addr.port }
      : { host: cfg.http.host, port: cfg.http.port };
  logger.info(`HTTP listening on http://${address.host}:${address.port}`);

  const abort = new AbortController();
  ami?.start(abort.signal);
  await pbx.start(abort.signal);
  webhooks.start();
  journal.start();
  atRest?.start();
  const retention = startRetentionSchedule(cfg, store, logger, webhooks);
  // Shortly after start, once the PBX has reported its live recordings: files recorded while
  // callrec was away get their rows (README, Reconciliation).
  const reconcileDeps = reconcileDepsFrom(
    cfg,
    store,
    logger.child({ component: 'reconcile' }),
    parts.policy ?? (() => rules.engine()),
    webhooks,
    promReconcileMetrics,
  );
  const reconcile = startReconcileSchedule(
    { ...reconcileDeps, waiting: () => journal.busy },
    3000,
    cfg.reconcile.intervalS * 1000,
  );

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      logger.info('callrec stopping');
      abort.abort();
      clearInterval(rulesPoll);
      await retention.stop();
      await pbx.stop();
      await ami?.stop();
      await calls.stop();
      // After the PBX link: a pass in progress (hashing files) must not keep calls in the gate.
      await reconcile.stop();
      await journal.stop();
      await atRest?.stop();
      await closeServer(server);
      await webhooks.stop();
      await filePool.close(); // the purge's and the seals' file threads, idle once their users stopped
      await db.close();
      logger.info('callrec stopped');
    })();
    return stopping;
  };
  return { store, rules, pbx, server, calls, webhooks, address, stop };
}

/** The master keys, or null (encryption at rest off, said once at start). A bad key stops the start. */
async function openKeyring(cfg: Config, db: { close(): Promise<void> }, logger: Logger): Promise<Keyring | null> {
  try {
    const keyring = keyringFrom(cfg.encryption);
    if (keyring)
      logger.info('encryption at rest on', { masterKey: keyring.active().id, workers: cfg.encryption.workers });
    else
      logger.warn(
        'encryption at rest off: no master key configured (CALLREC_MASTER_KEY_FILE); recordings stay plaintext',
      );
    return keyring;
  } catch (e) {
    await db.close();
    throw new Error(`master key: ${(e as Error).message}`);
  }
}

/** What the pool transcodes to, per tier; a configured format without ffmpeg is said once and stays WAV. */
async function transcoding(cfg: Config, logger: Logger): Promise<SealTranscode | undefined> {
  const t = cfg.transcode;
  if (t.standard === 'wav' && t.extended === 'wav') return undefined;
  const ffmpeg = await findFfmpeg(t.ffmpeg);
  if (!ffmpeg) logger.warn(`transcoding configured but ${t.ffmpeg} does not run; recordings stay WAV`);
  return { ffmpeg, formatFor: (tier) => (tier === 'extended' ? t.extended : t.standard) };
}
