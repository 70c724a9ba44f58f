// `callrec reconcile [--dry-run]`: give every audio file under the recordings root a row now, and
// fail completed rows whose file is gone (the controller does the same at start and on a schedule).
import type { Config } from '../config';
import { RulesService, policySettings } from '../policy/service';
import { reconcileDepsFrom } from '../recordings/from-config';
import { describeReconcile, reconcileRecordings } from '../recordings/reconcile';
import { createStore, migrationStatus, openDb } from '../store';
import { WebhookWorker } from '../webhooks/worker';
import { cliLogger, configOrReport, EXIT_CONFIG, type CliCommand, type CliIo } from './io';

async function run(cfg: Config, dryRun: boolean, io: CliIo): Promise<number> {
  const db = openDb(cfg.db.url);
  try {
    if ((await migrationStatus(db.knex)).pending.length > 0) {
      io.err('callrec reconcile: the database has pending migrations; run callrec migrate');
      return 1;
    }
    const store = createStore(db);
    const logger = cliLogger(cfg);
    const rules = new RulesService(store.rules, policySettings(cfg));
    // Queued here, delivered by the running controller's webhook worker.
    const webhooks = new WebhookWorker(store, { node: cfg.node, ...cfg.webhooks }, logger);
    const report = await reconcileRecordings(
      reconcileDepsFrom(cfg, store, logger, () => rules.engine(), webhooks),
      { dryRun },
    );
    for (const line of describeReconcile(report, dryRun)) io.out(line);
    return report.vanishedHeld ? 1 : 0;
  } finally {
    await db.close();
  }
}

export const reconcile: CliCommand = {
  summary: 'give every recording file a row (files recorded while callrec was down) and fail rows whose file is gone',
  usage: 'callrec reconcile [--dry-run]   (exit 1: rows without files were held, the directory looks unmounted)',
  async run(args, io) {
    const cfg = configOrReport(io);
    if (!cfg) return EXIT_CONFIG;
    const bad = args.find((a) => a !== '--dry-run');
    if (bad !== undefined) {
      io.err(`callrec reconcile: unknown option "${bad}"; use --dry-run`);
      return 2;
    }
    return run(cfg, args.includes('--dry-run'), io);
  },
};
