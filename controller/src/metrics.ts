// Prometheus metrics, all in one registry of our own (never prom-client's global one, so tests and
// a second controller in the same process do not collide). The gate, retention and webhook code
// import the objects from here and increment them; GET /metrics serves `metricsRegistry`.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CallMetrics } from './calls/observers';

export const metricsRegistry = new Registry();

export const callsGated = new Counter({
  name: 'callrec_calls_gated_total',
  help: 'Calls that went through the recording gate',
  labelNames: ['pbx', 'outcome'] as const,      // outcome: decided | fallback
  registers: [metricsRegistry],
});

export const decisionsByMode = new Counter({
  name: 'callrec_decisions_total',
  help: 'Recording decisions by record mode',
  labelNames: ['mode'] as const,                // off | from-ringing | from-answer | on-demand
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

/** Sets the per-state gauge from counts; states absent from the map read 0. */
export function setRecordingStates(counts: Record<string, number>): void {
  recordingsByState.reset();
  for (const [state, n] of Object.entries(counts)) recordingsByState.set({ state }, n);
}
