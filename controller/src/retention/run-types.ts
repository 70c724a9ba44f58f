// What a retention run is given (its dependencies and a caller's options) and what it reports
// (progress after each batch, and the outcome: locked out, or the finished run's row).
import type { RecordingPublisher } from '../webhooks/publisher';
import type { TierLengths } from '../domain/tiers';
import type { RetentionRun, RunTrigger } from '../store/retention-runs-repo';
import type { Logger } from '../util/logger';
import type { PurgeHooks } from './purge';

export interface RetentionDeps {
  root: string;
  node: string;
  lengths: TierLengths;
  batchSize: number;
  logger: Logger;
  now?: () => Date;
  hooks?: PurgeHooks;
  /** Publishes recording.purged for each tombstoned recording (the controller's webhook worker). */
  publisher?: RecordingPublisher;
  /** SQLite lock lifetime, renewed every batch; a dead holder's lock lapses after it. */
  lockTtlMs?: number;
  /** An early deletion still `purging` after this long is taken to have died. */
  staleEarlyDeleteMs?: number;
  /**
   * Share of the database's time the purge may take: after each batch it rests in proportion to
   * the batch's time in the database, less the time the batch spent unlinking files (the
   * database was already left to other writers then).
   * Measured (bench:retention, MySQL, 1M rows): at 0.5 with batches of 150, concurrent insert p99
   * stays near x1.5; unpaced or in larger batches the p99 grows (docs/performance.md).
   */
  dutyCycle?: number;
  /**
   * The run's row takes the counters after a batch at most this often (default 0: after every
   * batch, so a run that dies shows exactly the batches it finished, as the compliance officer's
   * report of a failed run needs); the finish writes the totals either way.
   */
  progressEveryMs?: number;
}

export interface RunOptions {
  trigger: RunTrigger;
  dryRun?: boolean;
  limit?: number;
  /** Stops between batches (controller shutdown); what is done so far is recorded. */
  signal?: AbortSignal;
  /** Called after each batch (a display: the CLI's progress bar or log lines); never changes the run. */
  onProgress?: (p: RunProgress) => void;
}
/** `total` is the expired, unheld recordings counted at the start (capped by the limit): an estimate. */
export interface RunProgress {
  done: number;
  total: number;
  purged: number;
  bytesFreed: number;
  errors: number;
}
export type RunOutcome = { kind: 'locked'; holder: string } | { kind: 'done'; run: RetentionRun };
