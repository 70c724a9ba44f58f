// What the call path's modules share: the registry's settings, a tracked call as the store and
// the registry know it, and the one way other modules hand a call to the registry.
import type { CallSession } from '../domain/call-session';
import type { SessionEvent, SessionSettings } from '../domain/session-types';
import type { TierLengths } from '../domain/tiers';
import type { PbxKind } from '../domain/vocabulary';
import type { Decision } from '../policy/types';
import type { Store } from '../store';

export interface RegistrySettings {
  node: string;
  recordingsDir: string; // as callrec sees it
  pbxRecordingsDir: string; // as the PBX sees it
  session: SessionSettings;
  tiers: TierLengths;
  policyTimeoutMs: number;
}

export interface TrackedCall {
  pbxCallId: string;
  session: CallSession;
  callRowId: number | null;
  recRowId: number | null;
  /** The full Decision as the policy gave it (reasons, normalized numbers), stored with the call. */
  decision: Decision | null;
  startedAt: Date;
  /** When this process began following it (performance.now()): a PBX's list asked for earlier may not have it. */
  trackedAt: number;
  /** How many of the session's agents the recording row's agents list already has. */
  agentsStored?: number;
  /** Its writes go to the local journal (the database was down or slow): for the rest of the call. */
  journaled?: boolean;
  /** Counted in the gate's metrics (countGate): once per call, however it left the gate. */
  gateCounted?: boolean;
}

/** A call as the registry starts tracking it: no rows, no decision yet. */
export const newTracked = (pbxCallId: string, session: CallSession, startedAt: Date): TrackedCall => ({
  pbxCallId,
  session,
  callRowId: null,
  recRowId: null,
  decision: null,
  startedAt,
  trackedAt: performance.now(),
});

export interface SyncContext {
  store: Store;
  node: string;
  pbx: PbxKind;
  pbxRoot: string;
}

export interface TimelineEntry {
  event: string;
  detail: Record<string, unknown>;
}

/** The registry as the modules that find calls for it (adoption after a reconnect) see it. */
export interface CallTracker {
  /** The calls it follows now, by PBX call id. */
  readonly tracked: ReadonlyMap<string, TrackedCall>;
  /**
   * Start routing a call's events to this session, after `first` (queued ahead of them), which
   * gets the registry's own record of the call (the one later writes update).
   */
  track(t: TrackedCall, first: (tracked: TrackedCall) => Promise<void>): void;
  /** One event to a tracked call's session, in its queue. */
  deliver(pbxCallId: string, ev: SessionEvent): void;
}
