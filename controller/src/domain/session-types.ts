// The CallSession's inputs besides PBX events, its settings and what it shows the registry.
import type { GateFacts, PbxEvent } from './pbx-events';
import type { CallState, ConsentMode, ConsentOutcome, RecordingState, RecordMode, SettledState, Tier } from './records';
import type { CommandType, TimerName } from './commands';
import type { RecorderSpec } from './recorder-spec';
import type { Fallback, PauseMode, PbxErrorKind } from './vocabulary';
import type { UserRule } from './user-mode';
import type { PartyConsent } from './party-consent';

/** What the session needs of the policy's Decision (policy/types.ts satisfies it structurally). */
export interface GateDecision {
  record: RecordMode;
  consent: ConsentMode;
  greeting: { prompt: string; sound: string; language: string } | null;
  pauseAllowed: boolean;
  beep: boolean;
  stereo: boolean;
  tier: Tier;
}

/** Where this call's recording goes: as the PBX sees it, and relative to the recordings root. */
export interface PlannedFile {
  pbxPath: string;
  relPath: string;
}

interface Base {
  callId: string;
  at: Date;
}

/** Events the registry delivers: the decision, deadlines, command failures, the finalizer. */
export type ControllerEvent =
  /**
   * immediate: release at once with the fallback, no prompt (stuck at reconnect, bad gate
   * arguments); swept: found in the gate after a restart, decision as stored for the call.
   */
  | (Base & {
      type: 'Decided';
      decision: GateDecision | null;
      reason: string | null;
      file: PlannedFile;
      immediate?: boolean;
      swept?: boolean;
    })
  | (Base & { type: 'TimerFired'; timer: TimerName })
  | (Base & { type: 'CommandFailed'; command: CommandType; kind: PbxErrorKind; detail: string })
  | (Base & { type: 'Finalized'; outcome: SettledState; reason: string | null })
  /** A party who joined: what its number requires, and the agent's recording mode (null: none applies). */
  | (Base & { type: 'PartyResolved'; party: string; user: UserRule | null; requires: PartyConsent });

export type SessionEvent = PbxEvent | ControllerEvent;

export interface SessionSettings {
  deadlineMs: number; // longest wait after the prompt
  promptAllowanceMs: number; // longest a prompt may play before the gate gives up on it
  dtmfTimeoutMs: number; // wait for a key after an opt-in/opt-out prompt
  finalizeGraceMs: number; // after hangup, finalize even if the PBX never says the call is gone
  fallback: Fallback;
  pauseMode: PauseMode;
}

export interface RecordingView {
  state: RecordingState;
  file: PlannedFile | null; // null until known (dialplan fallback recorded on its own path)
  pbxFile: string | null; // as the PBX reported it
  recordMode: RecordMode;
  /** How the recorder was started (and is resumed). */
  recorder: RecorderSpec;
  recorderId: string | null;
  startedAt: Date | null;
  endedAt: Date | null;
  pausedMs: number;
  pausedSince: Date | null;
  adopted: boolean;
  failureReason: string | null;
}

export interface SessionView {
  callId: string;
  facts: GateFacts;
  state: CallState;
  decision: GateDecision | null;
  consentOutcome: ConsentOutcome | null;
  fallbackReason: string | null;
  pauseAllowed: boolean;
  answeredAt: Date | null;
  endedAt: Date | null;
  hangupCause: string | null;
  party: string | null;
  /** The call's agent (stored on call and recording) and every agent who took part, in order. */
  agent: string | null;
  agents: string[];
  recording: RecordingView | null;
}
