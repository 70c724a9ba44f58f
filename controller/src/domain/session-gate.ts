// The gate: from the decision to the call's release, through the consent prompt and its answer.
// Everything here ends in release(), the only way out of the gate (persist, set the decision,
// continue), or gives up on the prompt with what the fallback allows.
import type { Command } from './commands';
import { fallbackDecision, gatePrompt, recordsAtGate, recordsOnGiveUp } from './gate-plan';
import { recorderSpec } from './recorder-spec';
import type { ConsentOutcome } from './records';
import type { ControllerEvent, GateDecision, PlannedFile, RecordingView } from './session-types';
import { cmd, persist, TERMINAL, timeline, type SessionState } from './session-state';

/** Playback ids are predictable so a restarted controller can stop what its predecessor played. */
export const promptIdOf = (callId: string, n: number): string => `callrec-${callId}-${n}`;

export function onDecided(s: SessionState, ev: Extract<ControllerEvent, { type: 'Decided' }>): Command[] {
  if (s.state !== 'gating') return [];
  s.file = ev.file;
  if (ev.reason !== null || ev.decision === null) s.fallbackReason = ev.reason ?? 'no decision';
  if (ev.immediate) {
    s.state = 'consent';
    // A call swept after a restart keeps the decision stored for it (an opt-in call without a
    // yes stays unrecorded), and the prompt the dead controller started is stopped: Asterisk
    // runs `continue` only once a playback ends (measured: the 8 s opt-in question held a swept
    // call 6 s past the restart).
    s.decision = ev.decision;
    if (ev.swept) s.promptId = promptIdOf(s.callId, 1);
    return giveUp(s, ev.at, s.fallbackReason ?? 'released at once');
  }
  const d = ev.decision ?? fallbackDecision(s.facts, s.settings.fallback);
  s.decision = d;
  const decided = timeline(s, 'decided', { record: d.record, consent: d.consent, fallbackReason: s.fallbackReason });
  const out: Command[] = [cmd(s, 'Watch', {})];
  const greeting = gatePrompt(d);
  if (greeting === null) {
    s.consentOutcome = 'not-required';
    return [...out, ...release(s, recordsAtGate(d) ? 'record' : 'skip', ev.at), decided];
  }
  s.state = 'consent';
  // While the prompt plays the call waits on us: should we vanish, the PBX's own fallback (the
  // same setting, installed globally) must not record a call whose decision forbids it.
  if (d.consent === 'opt-in' || !recordsAtGate(d)) out[0] = cmd(s, 'Watch', { neverRecordIfLost: true });
  s.promptId = promptIdOf(s.callId, ++s.prompts);
  const early = d.consent === 'announce' && !s.facts.answered;
  return [
    ...out,
    persist(s),
    decided,
    // Keypad answers need an answered channel; an announcement alone goes out as early media so
    // the caller is not billed before an agent picks up (verified: the channel stays in Ring).
    ...(early || s.facts.answered ? [] : [cmd(s, 'Answer', {})]),
    cmd(s, 'Play', { promptId: s.promptId, sound: greeting.sound, language: greeting.language, early }),
    cmd(s, 'SetTimer', { timer: 'gate', ms: s.settings.promptAllowanceMs + s.settings.deadlineMs }),
  ];
}

export function onPromptFinished(s: SessionState, promptId: string, at: Date): Command[] {
  if (s.state !== 'consent' || promptId !== s.promptId || s.promptDone) return [];
  s.promptDone = true;
  if (s.decision?.consent === 'announce') {
    s.consentOutcome = 'announced';
    return release(s, consented(s), at);
  }
  return [cmd(s, 'SetTimer', { timer: 'gate', ms: Math.min(s.settings.dtmfTimeoutMs, s.settings.deadlineMs) })];
}

/** Consent obtained: the gate records, except on demand, which waits for *44 or the API. */
function consented(s: SessionState): 'record' | 'skip' {
  return s.decision && recordsAtGate(s.decision) ? 'record' : 'skip';
}

/** Not heard is not announced: give up with what the fallback allows. */
export function onPromptFailed(s: SessionState, promptId: string, failure: string, at: Date): Command[] {
  if (s.state !== 'consent' || promptId !== s.promptId || s.promptDone) return [];
  s.promptDone = true;
  return giveUp(s, at, `the prompt was not played: ${failure}`);
}

export function onDtmf(s: SessionState, digit: string, at: Date): Command[] {
  if (s.state !== 'consent') return [];
  const consent = s.decision?.consent;
  let outcome: ConsentOutcome | null = null;
  if (consent === 'opt-in' && digit === '1') outcome = 'accepted';
  else if (consent === 'opt-in' && digit === '2') outcome = 'declined';
  else if (consent === 'opt-out' && digit === '9') outcome = 'opted-out';
  if (!outcome) return [];
  s.consentOutcome = outcome;
  const stop = !s.promptDone && s.promptId ? [cmd(s, 'StopPrompt', { promptId: s.promptId })] : [];
  return [...stop, ...release(s, outcome === 'accepted' ? consented(s) : 'skip', at)];
}

/** The gate's deadline: the prompt did not end in time, or no key came after it. */
export function onGateTimer(s: SessionState, at: Date): Command[] {
  if (s.state !== 'consent' || s.released) return [];
  if (s.promptDone && s.decision?.consent === 'opt-in') {
    s.consentOutcome = 'timeout';
    return release(s, 'skip', at);
  }
  if (s.promptDone && s.decision?.consent === 'opt-out') {
    s.consentOutcome = 'announced';
    return release(s, consented(s), at);
  }
  return giveUp(
    s,
    at,
    `gate deadline: the prompt did not finish within ${s.settings.promptAllowanceMs + s.settings.deadlineMs} ms`,
  );
}

/** Stop waiting: release now with what the fallback allows, keeping the reason. */
export function giveUp(s: SessionState, at: Date, reason: string): Command[] {
  if (s.released || TERMINAL.has(s.state)) return [];
  s.fallbackReason ??= reason;
  const stop = s.promptId && !s.promptDone ? [cmd(s, 'StopPrompt', { promptId: s.promptId })] : [];
  s.consentOutcome ??= 'fallback';
  const how = recordsOnGiveUp(s.decision, s.settings.fallback, s.consentOutcome === 'announced');
  if (s.decision === null) s.decision = fallbackDecision(s.facts, s.settings.fallback);
  return [cmd(s, 'Watch', {}), ...stop, ...release(s, how, at)];
}

/** Persist, set the decision, continue: the only way out of the gate. */
function release(s: SessionState, how: 'record' | 'skip' | 'dialplan', at: Date): Command[] {
  s.released = true;
  s.continueAttempts = 0;
  const clear = cmd(s, 'ClearTimer', { timer: 'gate' });
  const tl = timeline(s, 'released', {
    record: how,
    consentOutcome: s.consentOutcome,
    fallbackReason: s.fallbackReason,
  });
  if (how === 'dialplan') {
    s.state = 'recording';
    return [clear, persist(s), tl, cmd(s, 'Continue', {})];
  }
  if (how === 'skip' || !s.file || !s.decision) {
    s.state = 'not_recorded';
    return [
      clear,
      persist(s),
      tl,
      cmd(s, 'SetDecision', { record: false, file: null, recorder: null, storedCallId: null }),
      cmd(s, 'Continue', {}),
    ];
  }
  s.state = 'recording';
  s.recording = newRecording(s.decision, s.file, at);
  return [
    clear,
    persist(s, true, true),
    tl,
    cmd(s, 'SetDecision', { record: true, file: s.file.pbxPath, recorder: s.recording.recorder, storedCallId: null }),
    cmd(s, 'Continue', {}),
  ];
}

export function newRecording(d: GateDecision, file: PlannedFile, at: Date): RecordingView {
  void at;
  const recordMode = d.record === 'off' || d.record === 'on-demand' ? 'on-demand' : d.record;
  return {
    state: 'pending',
    file,
    pbxFile: null,
    recordMode,
    recorder: recorderSpec({ ...d, record: recordMode }),
    recorderId: null,
    startedAt: null,
    endedAt: null,
    pausedMs: 0,
    pausedSince: null,
    adopted: false,
    failureReason: null,
  };
}
