// What the call path reports outward, injected so calls/ imports neither prom-client nor the
// webhook worker: counts and latencies of the gate, and recordings once settled in the store.
import type { RecordMode, SettledState } from '../domain/records';
import type { PbxKind } from '../domain/vocabulary';

export interface CallMetrics {
  /** A call went through the gate: with a policy decision, or released by the fallback. */
  gated(pbx: PbxKind, outcome: 'decided' | 'fallback'): void;
  decided(mode: RecordMode): void;
  /** From the gate event's arrival to the PBX acknowledging continue. */
  gateLatency(pbx: PbxKind, seconds: number): void;
  recordingSettled(state: SettledState): void;
}

export const NO_METRICS: CallMetrics = {
  gated: () => undefined,
  decided: () => undefined,
  gateLatency: () => undefined,
  recordingSettled: () => undefined,
};
