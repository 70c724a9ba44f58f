// The reconcile pass as the controller and `callrec reconcile` both run it.
import type { Config } from '../config/types';
import type { PolicyEngine } from '../policy/types';
import { tierLengths } from '../retention/schedule';
import type { Store } from '../store';
import type { Logger } from '../util/logger';
import type { RecordingPublisher } from '../webhooks/publisher';
import { classifyByRules } from './classify';
import type { ReconcileDeps, ReconcileMetrics } from './reconcile';

export function reconcileDepsFrom(
  cfg: Config,
  store: Store,
  logger: Logger,
  engine: () => Promise<PolicyEngine>,
  publisher: RecordingPublisher,
  metrics?: ReconcileMetrics,
): ReconcileDeps {
  return {
    store,
    root: cfg.recordingsDir,
    node: cfg.node,
    pbx: cfg.pbx,
    tiers: tierLengths(cfg),
    quietMs: cfg.reconcile.quietS * 1000,
    logger,
    publisher,
    classify: classifyByRules(engine, cfg.pbx),
    ...(metrics ? { metrics } : {}),
  };
}
