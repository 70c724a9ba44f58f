// The call once out of the gate: the recorder's confirmation, the parties who join and leave,
// the hangup, and the recording's end (finalizing until the file is read, then done or failed).
import type { Command } from './commands';
import { isNumber, type PbxEvent } from './pbx-events';
import type { ControllerEvent, PlannedFile, RecordingView } from './session-types';
import { cmd, persist, timeline, type SessionState } from './session-state';
import { PLAIN_RECORDER } from './recorder-spec';

/** A recording the PBX made without us (the dialplan's fallback, or one found after a restart), taken over as is. */
export function adoptedRecording(
  pbxFile: string,
  recorderId: string | null,
  startedAt: Date,
  file: PlannedFile | null = null,
): RecordingView {
  return {
    state: 'recording',
    file,
    pbxFile,
    recordMode: 'from-ringing',
    recorder: PLAIN_RECORDER,
    recorderId,
    startedAt,
    endedAt: null,
    pausedMs: 0,
    pausedSince: null,
    adopted: true,
    failureReason: null,
  };
}

export function onAnswered(s: SessionState, at: Date): Command[] {
  if (s.answeredAt) return [];
  s.answeredAt = at;
  return s.released ? [persist(s)] : [];
}

export function onRecordingStarted(s: SessionState, ev: Extract<PbxEvent, { type: 'RecordingStarted' }>): Command[] {
  if (!s.released) return [];
  if (ev.recorderId && s.recording) s.recording.recorderId = ev.recorderId;
  if (!ev.file) return [];
  if (!s.recording) {
    // The dialplan's fallback (or an admin's own MixMonitor) recorded: keep what it wrote.
    if (s.state !== 'recording') return [];
    s.recording = adoptedRecording(ev.file, ev.recorderId, ev.at);
    return [persist(s, true, true), timeline(s, 'started', { file: ev.file, adopted: true })];
  }
  if (s.recording.state !== 'pending') return [];
  s.recording.state = 'recording';
  s.recording.pbxFile = ev.file;
  s.recording.startedAt = ev.at;
  return [persist(s, false, true), timeline(s, 'started', { file: ev.file })];
}

export function onParty(s: SessionState, ev: Extract<PbxEvent, { type: 'PartyChanged' }>): Command[] {
  // Who left is who was there: an unbridge may already name the next party (FreeSWITCH's does
  // after uuid_bridge), so it neither moves the call nor names anyone new.
  if (ev.kind === 'left') {
    if (s.party === null || s.partyAgent === null) return [];
    const left = timeline(s, 'left', { party: s.party, agent: s.partyAgent });
    s.partyAgent = null;
    return [left];
  }
  // A blind transfer names the number dialed before anyone answers it: nobody to announce to yet.
  if (ev.kind === 'transferring') {
    s.transferTo = ev.agent;
    return ev.agent ? [timeline(s, 'transfer-requested', { to: ev.agent })] : [];
  }
  if (!ev.party || ev.party === s.party) return [];
  const kind = s.party === null ? 'answered' : 'transfer';
  const previous = s.party;
  s.party = ev.party;
  // The party answering a blind transfer is the number it was sent to, unless it names its own.
  const agent = isNumber(ev.agent) ? ev.agent : (s.transferTo ?? ev.agent);
  s.transferTo = null;
  // The same person on another channel (a Local channel optimized away after a transfer): no move.
  if (kind === 'transfer' && agent && agent === s.partyAgent) return [];
  s.partyAgent = agent;
  // An outbound call's agent is the one placing it (the gate's argument), not the callee answering.
  const asUser = s.facts.direction !== 'outbound' && agent !== null;
  const joined = asUser && agent && !s.agents.includes(agent) ? agent : null;
  if (joined) s.agents.push(joined);
  // The recorder stays on the caller's channel: a transfer is a timeline entry, never a new file.
  const tl = timeline(s, kind === 'answered' ? 'party-answered' : kind, {
    party: ev.party,
    previous,
    ...(agent ? { agent } : {}),
  });
  // What the new party's number requires (party-consent.ts) and, for an agent, their own
  // recording mode (user-mode.ts, each time they take the call) apply from now.
  const resolve = s.released && !s.endedAt && agent ? [cmd(s, 'ResolveParty', { party: agent, asUser })] : [];
  return joined ? [persist(s, true, s.recording !== null), tl, ...resolve] : [tl, ...resolve];
}

export function onHangup(s: SessionState, cause: string | null, at: Date): Command[] {
  if (s.endedAt) return [];
  s.endedAt = at;
  s.hangupCause = cause;
  if (!s.released) {
    if (s.state === 'consent') s.consentOutcome = 'hung-up';
    s.state = 'not_recorded';
    s.released = true;
    return [cmd(s, 'ClearTimer', { timer: 'gate' }), persist(s), timeline(s, 'hangup', { during: 'gate', cause })];
  }
  if (s.recording && (s.state === 'recording' || s.state === 'paused' || s.state === 'finalizing')) {
    if (s.recording.pausedSince) {
      s.recording.pausedMs += at.getTime() - s.recording.pausedSince.getTime();
      s.recording.pausedSince = null;
    }
    s.recording.endedAt ??= at;
    s.recording.state = 'finalizing';
    s.state = 'finalizing';
    return [
      persist(s, true, true),
      timeline(s, 'hangup', { cause }),
      cmd(s, 'SetTimer', { timer: 'finalize', ms: s.settings.finalizeGraceMs }),
    ];
  }
  if (s.state === 'recording') s.state = 'not_recorded'; // dialplan fallback that never recorded
  return [persist(s), timeline(s, 'hangup', { cause })];
}

export function onGone(s: SessionState, at: Date): Command[] {
  const hang = s.endedAt ? [] : onHangup(s, null, at);
  if (s.state !== 'finalizing') return hang;
  // MixMonitor closes the file when the channel goes away: finalize now.
  return [
    ...hang.filter((c) => c.type !== 'SetTimer'),
    cmd(s, 'ClearTimer', { timer: 'finalize' }),
    cmd(s, 'Finalize', {}),
  ];
}

export function onFinalized(s: SessionState, ev: Extract<ControllerEvent, { type: 'Finalized' }>): Command[] {
  if (s.state !== 'finalizing' || !s.recording) return [];
  s.recording.state = ev.outcome;
  s.state = ev.outcome === 'completed' ? 'done' : 'failed';
  return [persist(s, true, false), timeline(s, ev.outcome, ev.reason ? { reason: ev.reason } : {})];
}

/** The grace after hangup is over: finalize even if the PBX never said the call is gone. */
export function onFinalizeTimer(s: SessionState): Command[] {
  return s.state === 'finalizing' ? [cmd(s, 'Finalize', {})] : [];
}
