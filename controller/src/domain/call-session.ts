// One live call: gating -> consent -> recording <-> paused -> finalizing -> done / not_recorded /
// failed. Pure and synchronous: events in, commands out; time comes from the events, deadlines
// arrive as TimerFired events. The registry persists and executes the commands in order.
// The gate's handlers are in session-gate.ts, the call's after it in session-call.ts; this class
// routes events to them, and answers command failures and feature requests (session-features.ts).
import type { Command } from './commands';
import type { GateFacts } from './pbx-events';
import {
  onAnswered,
  onFinalized,
  onFinalizeTimer,
  onGone,
  onHangup,
  onParty,
  onRecordingStarted,
} from './session-call';
import { FeatureRules, type CommandSpec, type FeatureRefusal } from './session-features';
import {
  giveUp,
  newRecording,
  onDecided,
  onDtmf,
  onGateTimer,
  onPromptFailed,
  onPromptFinished,
  promptIdOf,
} from './session-gate';
import { cmd, initialState, persist, timeline, type SessionState } from './session-state';
import type {
  ControllerEvent,
  GateDecision,
  RecordingView,
  SessionEvent,
  SessionSettings,
  SessionView,
} from './session-types';
import type { FeatureAction, PbxErrorKind } from './vocabulary';
import type { RecordMode } from './records';
import { userAtAnswer, type UserRule } from './user-mode';
import { heardConsent, onNewParty } from './party-consent';

export { promptIdOf } from './session-gate';

export class CallSession {
  private readonly s: SessionState;
  private readonly features = new FeatureRules();

  constructor(
    readonly callId: string,
    facts: GateFacts,
    settings: SessionSettings,
  ) {
    this.s = initialState(callId, facts, settings);
  }

  /** A session rebuilt from the store or found recording at reconnect: it starts in `recording`. */
  static adopt(
    callId: string,
    facts: GateFacts,
    settings: SessionSettings,
    rec: RecordingView,
    decision: GateDecision | null,
    reason: string | null = null,
  ): CallSession {
    const session = new CallSession(callId, facts, settings);
    const s = session.s;
    s.fallbackReason = reason;
    s.state = rec.state === 'paused' ? 'paused' : 'recording';
    s.released = true;
    s.decision = decision;
    s.file = rec.file;
    s.recording = { ...rec };
    s.consentOutcome = 'fallback';
    return session;
  }

  /**
   * A call found after a restart that its controller left before it started recording (the PBX's
   * dialplan went on alone): it waits, like a dialplan release, for whatever the fallback records.
   */
  static lost(
    callId: string,
    facts: GateFacts,
    settings: SessionSettings,
    how: { decision: GateDecision | null; reason: string } & Partial<Pick<SessionView, 'answeredAt' | 'agents'>>,
  ): CallSession {
    const session = new CallSession(callId, facts, settings);
    const s = session.s;
    s.state = 'recording';
    s.released = true;
    s.decision = how.decision;
    s.consentOutcome = 'fallback';
    s.fallbackReason = how.reason;
    s.answeredAt = how.answeredAt ?? null; // what this process saw before it lost the call (gate-entry.ts)
    if (how.agents) s.agents.splice(0, s.agents.length, ...how.agents);
    return session;
  }

  /** Nothing more can happen: the registry forgets the session. not_recorded stays live until hangup (on-demand start). */
  get isOver(): boolean {
    const s = this.s;
    return s.state === 'done' || s.state === 'failed' || (s.state === 'not_recorded' && s.endedAt !== null);
  }

  get state(): SessionView['state'] {
    return this.s.state;
  }

  /** What the gate said of the call (view() without the copy). */
  get facts(): GateFacts {
    return this.s.facts;
  }

  view(): SessionView {
    const { facts, state, decision, consentOutcome, fallbackReason, answeredAt, endedAt, hangupCause } = this.s;
    const { party, agents, recording } = this.s;
    return {
      callId: this.callId,
      facts,
      state,
      decision,
      consentOutcome,
      fallbackReason,
      pauseAllowed: decision?.pauseAllowed ?? false,
      answeredAt,
      endedAt,
      hangupCause,
      party,
      agent: agents[0] ?? null,
      agents: [...agents],
      recording: recording ? { ...recording } : null,
    };
  }

  /** Why a pause/resume/start/stop would be refused now, or null when it would be carried out. */
  refusal(action: FeatureAction): FeatureRefusal | null {
    return this.features.refusal(action, this.view(), this.s.released);
  }

  handle(ev: SessionEvent): Command[] {
    const s = this.s;
    if (this.isOver && ev.type !== 'Finalized') return [];
    switch (ev.type) {
      case 'Decided':
        return onDecided(s, ev);
      case 'GateEntered':
        return ev.swept ? giveUp(s, ev.at, ev.problem ?? 'found waiting in the gate at reconnect') : [];
      case 'CallAnswered':
        return onAnswered(s, ev.at);
      case 'PromptFinished':
        if (ev.promptId === s.announcing) return this.onAnnounced(ev.failure, ev.at);
        return ev.failure ? onPromptFailed(s, ev.promptId, ev.failure, ev.at) : onPromptFinished(s, ev.promptId, ev.at);
      case 'DtmfReceived':
        return onDtmf(s, ev.digit, ev.at);
      case 'TimerFired':
        return ev.timer === 'finalize' ? onFinalizeTimer(s) : onGateTimer(s, ev.at);
      case 'CommandFailed':
        return this.onCommandFailed(ev);
      case 'RecordingStarted':
        return onRecordingStarted(s, ev);
      case 'FeatureRequested':
        return this.onFeature(ev.action, ev.by, ev.at);
      case 'PartyChanged':
        return onParty(s, ev);
      case 'CallHungUp':
        return onHangup(s, ev.cause, ev.at);
      case 'CallGone':
        return onGone(s, ev.at);
      case 'Finalized':
        return onFinalized(s, ev);
      case 'PartyResolved':
        return this.onPartyResolved(ev);
      default:
        return [];
    }
  }

  private onCommandFailed(ev: Extract<ControllerEvent, { type: 'CommandFailed' }>): Command[] {
    const s = this.s;
    const why = `${ev.command} failed (${ev.kind}): ${ev.detail}`;
    if (ev.kind === 'not-found' && !s.released) return onHangup(s, 'channel gone', ev.at);
    if (ev.command === 'Continue') return this.retryContinue(why, ev.kind, ev.at);
    if (ev.command === 'SetDecision') {
      // Go on anyway: without CALLREC_DECIDED the dialplan applies its own fallback.
      s.fallbackReason ??= why;
      return [persist(s), cmd(s, 'Continue', {})];
    }
    if (!s.released && (ev.command === 'Answer' || ev.command === 'Play' || ev.command === 'Watch'))
      return giveUp(s, ev.at, why);
    // Not heard by the party that needs it: the recording must not go on without.
    if (ev.command === 'Announce') return this.onAnnounced(why, ev.at);
    return this.withId(
      this.features.onFailed(ev.command, why, s.recording, (state) => {
        s.state = state;
      }),
    );
  }

  private retryContinue(why: string, kind: PbxErrorKind, at: Date): Command[] {
    const s = this.s;
    if (kind === 'not-found') return onHangup(s, 'channel gone', at);
    if (++s.continueAttempts < 2) return [cmd(s, 'Continue', {})];
    s.fallbackReason ??= why;
    s.state = 'failed';
    s.endedAt = at;
    return [persist(s, true, s.recording !== null), timeline(s, 'release-failed', { reason: why })];
  }

  /** A party joined: an agent's mode (user-mode.ts), then what the party's number requires (party-consent.ts). */
  private onPartyResolved(ev: Extract<ControllerEvent, { type: 'PartyResolved' }>): Command[] {
    const s = this.s;
    if (!s.released || s.endedAt) return [];
    const out = ev.user ? this.applyUser(ev.party, ev.user, ev.at) : [];
    return [...out, ...this.checkConsent(ev)];
  }

  private applyUser(agent: string, user: UserRule, at: Date): Command[] {
    const s = this.s;
    const running = s.recording !== null && (s.state === 'recording' || s.state === 'paused');
    const o = userAtAnswer(user, {
      record: s.decision?.record ?? 'off',
      consent: s.decision?.consent ?? 'none',
      recording: running,
      consentOutcome: s.consentOutcome,
      tier: s.decision?.tier ?? 'standard',
    });
    if (s.decision) s.decision = { ...s.decision, pauseAllowed: o.pauseAllowed, tier: o.tier };
    const refused = o.action === 'start' ? this.refusal('start') : null;
    // A user who may not pause takes a paused call: their calls are always recorded, so it resumes.
    const resume = o.action === 'keep' && !o.pauseAllowed && s.state === 'paused';
    const reasons = refused ? [...o.reasons, `not started: ${refused.detail}`] : o.reasons;
    if (resume) reasons.push('the recording was paused: resumed, as this user may not pause');
    const detail = { agent, mode: user.mode, action: refused ? 'refused' : resume ? 'resume' : o.action, reasons };
    const out: Command[] = [persist(s, true, s.recording !== null), timeline(s, 'user-mode', detail)];
    if (resume) return [...out, ...this.onFeature('resume', 'policy', at)];
    return o.action === 'start' && !refused ? [...out, ...this.onFeature('start', agent, at, 'from-answer')] : out;
  }

  /** A recorded call reaching a party who requires more consent than was heard: announce again, or stop. */
  private checkConsent(ev: Extract<ControllerEvent, { type: 'PartyResolved' }>): Command[] {
    const s = this.s;
    if (s.state !== 'recording' && s.state !== 'paused') return [];
    const heard = heardConsent(s.decision?.consent, s.consentOutcome, s.reannounced);
    const next = onNewParty(heard, ev.requires);
    if (next === 'enough') return [];
    const detail = { party: ev.party, jurisdiction: ev.requires.jurisdiction, requires: ev.requires.consent, heard };
    if (next === 'stop') {
      const why = `${ev.requires.why}: a call in progress cannot ask for ${ev.requires.consent}`;
      return [
        timeline(s, 'consent-not-enough', { ...detail, reason: why }),
        ...this.onFeature('stop', 'policy', ev.at),
      ];
    }
    s.reannounced = ev.requires.consent;
    const promptId = promptIdOf(s.callId, ++s.prompts);
    s.announcing = promptId;
    const language = s.decision?.greeting?.language ?? s.facts.language;
    return [
      timeline(s, 're-announced', { ...detail, reason: ev.requires.why }),
      cmd(s, 'Announce', { promptId, sound: 'callrec/announce', language }),
    ];
  }

  /** The re-announcement ended: heard to its end, or not (then the recording stops). */
  private onAnnounced(failure: string | undefined, at: Date): Command[] {
    const s = this.s;
    s.announcing = null;
    if (!failure) return [];
    return [timeline(s, 're-announce-failed', { reason: failure }), ...this.onFeature('stop', 'policy', at)];
  }

  private onFeature(action: FeatureAction, by: string | null, at: Date, mode?: RecordMode): Command[] {
    if (this.refusal(action)) return [];
    const s = this.s;
    const r = this.features.apply(
      action,
      by,
      at,
      {
        recording: s.recording,
        decision: s.decision,
        file: s.file,
        pauseMode: s.settings.pauseMode,
        setState: (state) => {
          s.state = state;
        },
        newRecording: (d, f) => newRecording(d, f, at),
        setRecording: (rec) => {
          s.recording = rec;
        },
      },
      mode,
    );
    return this.withId(r);
  }

  private withId(cmds: CommandSpec[]): Command[] {
    return cmds.map((c) => ({ ...c, callId: this.callId }) as Command);
  }
}
