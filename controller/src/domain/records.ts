// What the store keeps about calls and recordings, as the rest of the controller sees it.
import type { PbxKind } from './vocabulary';

export type Direction = 'inbound' | 'outbound' | 'internal';
export type RecordMode = 'off' | 'from-ringing' | 'from-answer' | 'on-demand';
export type ConsentMode = 'none' | 'announce' | 'opt-in' | 'opt-out';

/**
 * Strictness of consent, weakest first. Announce only informs; opt-out informs and lets the
 * caller refuse (recorded unless they act); opt-in records only after an explicit yes, so it is
 * the strictest: raising consent never lowers what the admin asked for.
 */
export const CONSENT_RANK: Record<ConsentMode, number> = { none: 0, announce: 1, 'opt-out': 2, 'opt-in': 3 };

export const stricter = (a: ConsentMode, b: ConsentMode): ConsentMode => (CONSENT_RANK[b] > CONSENT_RANK[a] ? b : a);
export type Tier = 'standard' | 'extended';

export type CallState =
  'gating' | 'consent' | 'recording' | 'paused' | 'finalizing' | 'done' | 'not_recorded' | 'failed';
export type ConsentOutcome =
  'not-required' | 'announced' | 'accepted' | 'declined' | 'opted-out' | 'hung-up' | 'timeout' | 'fallback';

export type RecordingState =
  'pending' | 'recording' | 'paused' | 'finalizing' | 'completed' | 'failed' | 'purging' | 'purged';
/** How a recording ends once its file is read. */
export type SettledState = Extract<RecordingState, 'completed' | 'failed'>;

export interface CallRecord {
  id: number;
  node: string;
  pbx: PbxKind;
  pbxCallId: string;
  direction: Direction;
  flow: string | null;
  applet: string | null;
  campaign: string | null;
  fromNumber: string | null;
  fromRaw: string | null;
  toNumber: string | null;
  toRaw: string | null;
  agent: string | null;
  language: string | null;
  state: CallState;
  recordMode: RecordMode | null;
  consentMode: ConsentMode | null;
  consentOutcome: ConsentOutcome | null;
  decision: unknown;
  fallbackReason: string | null;
  hangupCause: string | null;
  startedAt: Date;
  answeredAt: Date | null;
  endedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface RecordingRecord {
  id: number;
  callId: number;
  state: RecordingState;
  filePath: string;
  recordMode: RecordMode;
  tier: Tier;
  channels: number;
  beep: boolean;
  direction: Direction;
  fromNumber: string | null;
  toNumber: string | null;
  agent: string | null;
  flow: string | null;
  campaign: string | null;
  startedAt: Date | null;
  endedAt: Date | null;
  durationMs: number | null;
  pausedMs: number;
  sizeBytes: number | null;
  sha256: string | null;
  failureReason: string | null;
  retainUntil: Date | null;
  onHold: boolean;
  holdReason: string | null;
  /** The litigation case the hold is for, when it was placed under one. */
  holdCase: string | null;
  holdBy: string | null;
  holdAt: Date | null;
  purgedAt: Date | null;
  purgeRunId: number | null;
  purgeReason: string | null;
  purgedBy: string | null;
  bytesFreed: number | null;
  /** Encryption at rest: null key id while the file is the PBX's plaintext. */
  keyId: string | null;
  wrappedKey: string | null;
  storedBytes: number | null;
  keyDestroyedAt: Date | null;
  /** Stored audio format when transcoded (opus, mp3); null = the PBX's WAV. */
  format: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface RecordingEventRecord {
  id: number;
  callId: number | null;
  recordingId: number | null;
  type: string;
  actor: string;
  detail: Record<string, unknown> | null;
  at: Date;
}
