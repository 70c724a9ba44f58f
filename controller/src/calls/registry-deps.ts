// What the call registry is built from: the PBX, the store, the policy and the optional parts
// around the call path (finalizer, metrics, webhooks, journal, encryption at rest).
import type { PbxPort } from '../pbx/port';
import type { PolicyEngine } from '../policy/types';
import type { Store } from '../store';
import type { Logger } from '../util/logger';
import type { RecordingPublisher } from '../webhooks/publisher';
import type { FinalizeOptions, FinalizeOutcome } from './finalizer';
import type { JournalWriter } from './journal-writer';
import type { CallMetrics } from './observers';
import type { RegistrySettings } from './types';

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
