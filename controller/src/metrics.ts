// Prometheus metrics, all in one registry of our own (never prom-client's global one, so tests and
// a second controller in the same process do not collide). The gate, retention and webhook code
// import the objects from here and increment them; GET /metrics serves `metricsRegistry`.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CallMetrics } from './calls/observers';
import type { ReconcileMetrics } from './recordings/reconcile';
import type { JournalMetrics } from './calls/journal-writer';

export const metricsRegistry = new Registry();

export const callsGated = new Counter({
  name: 'callrec_calls_gated_total',
  help: 'Calls that went through the recording gate',
  labelNames: ['pbx', 'outcome'] as const, // outcome: decided | fallback
  registers: [metricsRegistry],
});

export const decisionsByMode = new Counter({
  name: 'callrec_decisions_total',
  help: 'Recording decisions by record mode',
  labelNames: ['mode'] as const, // off | from-ringing | from-answer | on-demand
  registers: [metricsRegistry],
});

export const recordingsByState = new Gauge({
  name: 'callrec_recordings',
  help: 'Recordings in the store by state (refreshed at each scrape)',
  labelNames: ['state'] as const,
  registers: [metricsRegistry],
});

export const gateLatency = new Histogram({
  name: 'callrec_gate_latency_seconds',
  help: 'Time a call waits in the gate, from its arrival to the PBX acknowledging continue',
  labelNames: ['pbx'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [metricsRegistry],
});

export const recordingsFinished = new Counter({
  name: 'callrec_recordings_finished_total',
  help: 'Recordings settled by the finalizer, by outcome (completed | failed)',
  labelNames: ['state'] as const,
  registers: [metricsRegistry],
});

/** The call registry's metrics, over the objects above. */
export const promCallMetrics: CallMetrics = {
  gated: (pbx, outcome) => callsGated.inc({ pbx, outcome }),
  decided: (mode) => decisionsByMode.inc({ mode }),
  gateLatency: (pbx, seconds) => gateLatency.observe({ pbx }, seconds),
  recordingSettled: (state) => recordingsFinished.inc({ state }),
};

export const purgedRecordings = new Counter({
  name: 'callrec_purged_recordings_total',
  help: 'Recordings purged, by trigger (cron, cli, disk-guard, manual, early-delete)',
  labelNames: ['trigger'] as const,
  registers: [metricsRegistry],
});

export const purgeBytesFreed = new Counter({
  name: 'callrec_purge_bytes_freed_total',
  help: 'Bytes freed by purges',
  registers: [metricsRegistry],
});

export const purgeErrors = new Counter({
  name: 'callrec_purge_errors_total',
  help: 'Recordings a purge could not remove',
  registers: [metricsRegistry],
});

export const webhookFailures = new Counter({
  name: 'callrec_webhook_failures_total',
  help: 'Failed webhook attempts; final="true" when the delivery gave up',
  labelNames: ['event', 'final'] as const,
  registers: [metricsRegistry],
});

export const webhookDeliveries = new Counter({
  name: 'callrec_webhook_deliveries_total',
  help: 'Webhook deliveries acknowledged by a receiver (2xx)',
  labelNames: ['event'] as const,
  registers: [metricsRegistry],
});

export const orphansFound = new Counter({
  name: 'callrec_orphans_found_total',
  help: 'Audio files under the recordings root that no row knew, found by reconcile',
  registers: [metricsRegistry],
});

export const orphansAdopted = new Counter({
  name: 'callrec_orphans_adopted_total',
  help: 'Orphan files given rows by reconcile, by the state they got (completed | failed: no audio)',
  labelNames: ['state'] as const,
  registers: [metricsRegistry],
});

export const recordingsVanished = new Counter({
  name: 'callrec_recordings_vanished_total',
  help: 'Completed recordings whose file was gone, marked failed by reconcile',
  registers: [metricsRegistry],
});

export const promReconcileMetrics: ReconcileMetrics = {
  found: (n) => orphansFound.inc(n),
  adopted: (state) => orphansAdopted.inc({ state }),
  vanished: (n) => recordingsVanished.inc(n),
};

export const journalDepth = new Gauge({
  name: 'callrec_journal_depth',
  help: 'Call writes in the local journal waiting for the database',
  registers: [metricsRegistry],
});

let journalOldest: Date | null = null;
export const journalOldestAge = new Gauge({
  name: 'callrec_journal_oldest_age_seconds',
  help: 'Age of the oldest call write waiting in the local journal (0 when empty)',
  registers: [metricsRegistry],
  collect() {
    this.set(journalOldest ? (Date.now() - journalOldest.getTime()) / 1000 : 0);
  },
});

export const journalFull = new Counter({
  name: 'callrec_journal_full_total',
  help: 'Call writes lost because the local journal was full (CALLREC_JOURNAL_MAX_BYTES)',
  registers: [metricsRegistry],
});

export const journalReplayed = new Counter({
  name: 'callrec_journal_replayed_total',
  help: 'Journal entries replayed into the database',
  registers: [metricsRegistry],
});

export const promJournalMetrics: JournalMetrics = {
  status: (s) => {
    journalDepth.set(s.depth);
    journalOldest = s.oldestAt;
  },
  full: () => journalFull.inc(),
  replayed: () => journalReplayed.inc(),
};

/** Sets the per-state gauge from counts; states absent from the map read 0. */
export function setRecordingStates(counts: Record<string, number>): void {
  recordingsByState.reset();
  for (const [state, n] of Object.entries(counts)) recordingsByState.set({ state }, n);
}

export const encryptionBacklog = new Gauge({
  name: 'callrec_encryption_backlog',
  help: 'Settled recordings not yet encrypted at rest, their plaintext still on disk (refreshed at each scrape)',
  registers: [metricsRegistry],
});

export const encryptedRecordings = new Counter({
  name: 'callrec_encryption_outcomes_total',
  help: 'Recordings through the encryption pool, by outcome (sealed | cleaned | missing | lost | error)',
  labelNames: ['outcome'] as const,
  registers: [metricsRegistry],
});

export const encryptedBytes = new Counter({
  name: 'callrec_encrypted_bytes_total',
  help: 'Bytes of ciphertext written by the encryption pool',
  registers: [metricsRegistry],
});

/** The encryption pool's metrics, over the objects above. */
export const promAtRestMetrics = {
  sealed: (outcome: string, bytes: number): void => {
    encryptedRecordings.inc({ outcome });
    if (bytes > 0) encryptedBytes.inc(bytes);
  },
};
