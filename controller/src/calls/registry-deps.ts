// What the call registry is built from: the PBX, the store, the policy and the optional parts
// around the call path (finalizer, metrics, webhooks, journal, encryption at rest).
import type { PbxPort } from '../pbx/port';
import type { PolicyEngine } from '../policy/types';
import type { Store } from '../store';
import type { Logger } from '../util/logger';
import type { RecordingPublisher } from '../webhooks/publisher';
import { CallWrites } from './call-writes';
import { finalizeFile, type FinalizeOptions, type FinalizeOutcome } from './finalizer';
import type { JournalWriter } from './journal-writer';
import { NO_METRICS, type CallMetrics } from './observers';
import { RecordingSettler } from './settle';
import type { RegistrySettings, SyncContext } from './types';

export interface RegistryDeps {
  port: PbxPort;
  store: Store;
  policy: () => Promise<PolicyEngine>;
  /** The engine when policy() would return it at once (loaded, current): no timer or race on the gate's path. */
  policyNow?: () => PolicyEngine | null;
  logger: Logger;
  settings: RegistrySettings;
  finalize?: (file: string, opts?: FinalizeOptions) => Promise<FinalizeOutcome>;
  metrics?: CallMetrics;
  /** recording.completed / recording.failed, published once the row says so. */
  publisher?: RecordingPublisher;
  /** The local journal: a write the database does not commit within boundMs goes there. */
  journal?: { writer: JournalWriter; boundMs: number };
  /** Encryption at rest: takes a settled recording off the call path (recordings/at-rest-worker.ts). */
  atRest?: { enqueue(recordingId: number): void };
}

/** The registry's writers, built from its deps: the call's rows, the recording's settling. */
export function callWriters(deps: RegistryDeps): {
  sync: SyncContext;
  metrics: CallMetrics;
  writes: CallWrites;
  settler: RecordingSettler;
} {
  const { store, logger, settings, port } = deps;
  const sync: SyncContext = { store, node: settings.node, pbx: port.kind, pbxRoot: settings.pbxRecordingsDir };
  const metrics = deps.metrics ?? NO_METRICS;
  const durable = deps.journal ? { sync, journal: deps.journal.writer, boundMs: deps.journal.boundMs, logger } : null;
  const settler = new RecordingSettler({
    store,
    logger,
    recordingsDir: settings.recordingsDir,
    tiers: settings.tiers,
    finalize: deps.finalize ?? finalizeFile,
    metrics,
    publisher: deps.publisher,
    atRest: deps.atRest,
    durable,
  });
  return { sync, metrics, writes: new CallWrites(sync, durable, logger), settler };
}
