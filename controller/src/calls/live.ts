// Live calls as the API and dashboard see them, and the recording actions they may take.
// Implemented by the call registry over the PBX port.
import type { CallState, Direction, RecordingState } from '../domain/records';
import type { FeatureAction } from '../domain/vocabulary';
import type { Result } from '../util/result';

export interface LiveCall {
  callId: number;
  pbxCallId: string;
  state: CallState;
  direction: Direction;
  from: string | null;
  to: string | null;
  agent: string | null;
  /** Every agent who took part (the one who answered, then each transfer's). */
  agents: string[];
  flow: string | null;
  applet: string | null;
  startedAt: Date;
  recordingId: number | null;
  recordingState: RecordingState | null;
  pauseAllowed: boolean;
  pausedMs: number;
}

export type LiveCallErrorKind = 'not-found' | 'not-allowed' | 'invalid-state' | 'pbx';
export interface LiveCallError {
  kind: LiveCallErrorKind;
  detail: string;
}

export interface LiveCallControl {
  list(): LiveCall[];
  get(callId: number): LiveCall | null;
  act(callId: number, action: FeatureAction, actor: string): Promise<Result<LiveCall, LiveCallError>>;
}
