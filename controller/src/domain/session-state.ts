// What one CallSession knows, shared by the modules that handle its events: the gate
// (session-gate.ts), the call after it (session-call.ts) and the session that routes events to them
// (call-session.ts). Plain data, changed in place by those handlers only.
import type { Command } from './commands';
import type { GateFacts } from './pbx-events';
import type { CallState, ConsentMode, ConsentOutcome } from './records';
import type { GateDecision, PlannedFile, RecordingView, SessionSettings } from './session-types';

export interface SessionState {
  readonly callId: string;
  readonly facts: GateFacts;
  readonly settings: SessionSettings;
  state: CallState;
  decision: GateDecision | null;
  file: PlannedFile | null;
  consentOutcome: ConsentOutcome | null;
  fallbackReason: string | null;
  promptId: string | null;
  promptDone: boolean;
  released: boolean;
  continueAttempts: number;
  answeredAt: Date | null;
  endedAt: Date | null;
  hangupCause: string | null;
  party: string | null;
  /** The number or extension of the party the call is with now (its timeline's agent). */
  partyAgent: string | null;
  /** The number a blind transfer sent the call to, until someone answers there. */
  transferTo: string | null;
  recording: RecordingView | null;
  prompts: number;
  /** The strictest consent announced again after a transfer (party-consent.ts), or null. */
  reannounced: ConsentMode | null;
  /** The re-announcement playing now (its prompt id), until it has played to its end. */
  announcing: string | null;
  /** Who took part: the outbound call's agent, else whoever answered, then each transfer's. */
  readonly agents: string[];
}

export function initialState(callId: string, facts: GateFacts, settings: SessionSettings): SessionState {
  return {
    callId,
    facts,
    settings,
    state: 'gating',
    decision: null,
    file: null,
    consentOutcome: null,
    fallbackReason: null,
    promptId: null,
    promptDone: false,
    released: false,
    continueAttempts: 0,
    answeredAt: null,
    endedAt: null,
    hangupCause: null,
    party: null,
    partyAgent: null,
    transferTo: null,
    recording: null,
    prompts: 0,
    reannounced: null,
    announcing: null,
    agents: facts.agent ? [facts.agent] : [],
  };
}

export const TERMINAL: ReadonlySet<CallState> = new Set(['done', 'not_recorded', 'failed']);

export function cmd<T extends Command['type']>(
  s: SessionState,
  type: T,
  rest: Omit<Extract<Command, { type: T }>, 'type' | 'callId'>,
): Command {
  return { type, callId: s.callId, ...rest } as Command;
}

export const persist = (s: SessionState, call = true, recording = false): Command =>
  cmd(s, 'Persist', { call, recording });
export const timeline = (s: SessionState, event: string, detail: Record<string, unknown> = {}): Command =>
  cmd(s, 'Timeline', { event, detail });
