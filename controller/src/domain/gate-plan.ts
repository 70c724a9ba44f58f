// Pure helpers of the gate: what a decision means for the recorder, and the fallback decisions.
import type { GateFacts } from './pbx-events';
import { recorderSpec, type RecorderSpec } from './recorder-spec';
import type { GateDecision, PlannedFile } from './session-types';
import type { Fallback } from './vocabulary';

export const DEFAULT_ANNOUNCEMENT = 'callrec/announce';

export function recordsAtGate(d: GateDecision): boolean {
  return d.record === 'from-ringing' || d.record === 'from-answer';
}

/** The prompt the gate plays the caller on this decision before letting the call go; null: none (onDecided). */
export function gatePrompt(d: GateDecision): NonNullable<GateDecision['greeting']> | null {
  return d.consent === 'none' ? null : d.greeting;
}

/**
 * The decision a new session sends with its release when the decision records and asks nothing
 * first (onDecided, then release: the same file and recorder), or null: it prompts, or does not
 * record. The gate can write this continue before the session exists (calls/gate-entry.ts).
 */
export function recordingRelease(
  d: GateDecision,
  file: PlannedFile,
): { record: true; file: string; recorder: RecorderSpec } | null {
  if (gatePrompt(d) !== null || !recordsAtGate(d)) return null;
  return { record: true, file: file.pbxPath, recorder: recorderSpec(d) };
}

/** The decision a call gets when the policy cannot be asked (error, bad gate arguments). */
export function fallbackDecision(facts: GateFacts, fallback: Fallback): GateDecision {
  const base = { pauseAllowed: true, beep: false, stereo: false, tier: 'standard' as const };
  if (fallback === 'skip') return { ...base, record: 'off', consent: 'none', greeting: null };
  if (fallback === 'record') return { ...base, record: 'from-ringing', consent: 'none', greeting: null };
  return {
    ...base,
    record: 'from-ringing',
    consent: 'announce',
    greeting: { prompt: 'announce', sound: DEFAULT_ANNOUNCEMENT, language: facts.language ?? 'en' },
  };
}

/**
 * Whether a gate that must stop waiting (deadline, PBX error) records. Opt-in without a yes is
 * never recorded whatever the fallback says: consent was not given.
 */
export function recordsOnGiveUp(
  d: GateDecision | null,
  fallback: Fallback,
  announced: boolean,
): 'record' | 'skip' | 'dialplan' {
  if (d?.consent === 'opt-in') return 'skip';
  if (d && !recordsAtGate(d)) return 'skip';
  if (fallback === 'skip') return 'skip';
  if (fallback === 'record' || announced) return 'record';
  // announce-and-record before the caller heard the announcement: the dialplan's own fallback
  // plays it and records (the same path as when the controller is down).
  return 'dialplan';
}
