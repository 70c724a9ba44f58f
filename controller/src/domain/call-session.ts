// One live call: gating -> consent -> recording <-> paused -> finalizing -> done / not_recorded /
// failed. Pure and synchronous: events in, commands out; time comes from the events, deadlines
// arrive as TimerFired events. The registry persists and executes the commands in order.
import type { Command } from './commands';
import { fallbackDecision, recordsAtGate, recordsOnGiveUp } from './gate-plan';
import type { FeatureAction, GateFacts, PbxEvent } from './pbx-events';
import type { CallState, ConsentOutcome } from './records';
import { PLAIN_RECORDER, recorderSpec } from './recorder-spec';
import type { ControllerEvent, GateDecision, PlannedFile, RecordingView, SessionEvent, SessionSettings, SessionView } from './session-types';
import { FeatureRules, type CommandSpec, type FeatureRefusal } from './session-features';

/** Playback ids are predictable so a restarted controller can stop what its predecessor played. */
export const promptIdOf = (callId: string, n: number): string => `callrec-${callId}-${n}`;

const TERMINAL: ReadonlySet<CallState> = new Set(['done', 'not_recorded', 'failed']);

export class CallSession {
  private state: CallState = 'gating';
  private decision: GateDecision | null = null;
  private file: PlannedFile | null = null;
  private consentOutcome: ConsentOutcome | null = null;
  private fallbackReason: string | null = null;
  private promptId: string | null = null;
  private promptDone = false;
  private released = false;
  private continueAttempts = 0;
  private answeredAt: Date | null = null;
  private endedAt: Date | null = null;
  private hangupCause: string | null = null;
  private party: string | null = null;
  private recording: RecordingView | null = null;
  private prompts = 0;
  private readonly features = new FeatureRules();
  /** Who took part: the outbound call's agent, else whoever answered, then each transfer's. */
  private readonly agents: string[];

  constructor(readonly callId: string, private readonly facts: GateFacts, private readonly settings: SessionSettings) {
    this.agents = facts.agent ? [facts.agent] : [];
  }

  /** A session rebuilt from the store or found recording at reconnect: it starts in `recording`. */
  static adopt(callId: string, facts: GateFacts, settings: SessionSettings, rec: RecordingView, decision: GateDecision | null, reason: string | null = null): CallSession {
    const s = new CallSession(callId, facts, settings);
    s.fallbackReason = reason;
    s.state = rec.state === 'paused' ? 'paused' : 'recording';
    s.released = true;
    s.decision = decision;
    s.file = rec.file;
    s.recording = { ...rec };
    s.consentOutcome = 'fallback';
    return s;
  }

  /**
   * A call found after a restart that its controller left before it started recording (the PBX's
   * dialplan went on alone): it waits, like a dialplan release, for whatever the fallback records.
   */
  static lost(callId: string, facts: GateFacts, settings: SessionSettings, decision: GateDecision | null, reason: string): CallSession {
    const s = new CallSession(callId, facts, settings);
    s.state = 'recording';
    s.released = true;
    s.decision = decision;
    s.consentOutcome = 'fallback';
    s.fallbackReason = reason;
    return s;
  }

  /** Nothing more can happen: the registry forgets the session. not_recorded stays live until hangup (on-demand start). */
  get isOver(): boolean {
    return this.state === 'done' || this.state === 'failed' || (this.state === 'not_recorded' && this.endedAt !== null);
  }

  view(): SessionView {
    return {
      callId: this.callId, facts: this.facts, state: this.state, decision: this.decision,
      consentOutcome: this.consentOutcome, fallbackReason: this.fallbackReason,
      pauseAllowed: this.decision?.pauseAllowed ?? false, answeredAt: this.answeredAt, endedAt: this.endedAt,
      hangupCause: this.hangupCause, party: this.party, agent: this.agents[0] ?? null, agents: [...this.agents],
      recording: this.recording ? { ...this.recording } : null,
    };
  }

  /** Why a pause/resume/start/stop would be refused now, or null when it would be carried out. */
  refusal(action: FeatureAction): FeatureRefusal | null {
    return this.features.refusal(action, this.view(), this.released);
  }

  handle(ev: SessionEvent): Command[] {
    if (this.isOver && ev.type !== 'Finalized') return [];
    switch (ev.type) {
      case 'Decided': return this.onDecided(ev);
      case 'GateEntered': return ev.swept ? this.giveUp(ev.at, ev.problem ?? 'found waiting in the gate at reconnect') : [];
      case 'CallAnswered': return this.onAnswered(ev.at);
      case 'PromptFinished': return ev.failure ? this.onPromptFailed(ev.promptId, ev.failure, ev.at) : this.onPromptFinished(ev.promptId, ev.at);
      case 'DtmfReceived': return this.onDtmf(ev.digit, ev.at);
      case 'TimerFired': return this.onTimer(ev);
      case 'CommandFailed': return this.onCommandFailed(ev);
      case 'RecordingStarted': return this.onRecordingStarted(ev);
      case 'FeatureRequested': return this.onFeature(ev.action, ev.by, ev.at);
      case 'PartyChanged': return this.onParty(ev);
      case 'CallHungUp': return this.onHangup(ev.cause, ev.at);
      case 'CallGone': return this.onGone(ev.at);
      case 'Finalized': return this.onFinalized(ev);
      default: return [];
    }
  }

  private cmd<T extends Command['type']>(type: T, rest: Omit<Extract<Command, { type: T }>, 'type' | 'callId'>): Command {
    return { type, callId: this.callId, ...rest } as Command;
  }

  private persist(call = true, recording = false): Command { return this.cmd('Persist', { call, recording }); }
  private timeline(event: string, detail: Record<string, unknown> = {}): Command { return this.cmd('Timeline', { event, detail }); }

  private onDecided(ev: Extract<ControllerEvent, { type: 'Decided' }>): Command[] {
    if (this.state !== 'gating') return [];
    this.file = ev.file;
    if (ev.reason !== null || ev.decision === null) this.fallbackReason = ev.reason ?? 'no decision';
    if (ev.immediate) {
      this.state = 'consent';
      // A call swept after a restart keeps the decision stored for it (an opt-in call without a
      // yes stays unrecorded), and the prompt the dead controller started is stopped: Asterisk
      // runs `continue` only once a playback ends (measured: the 8 s opt-in question held a swept
      // call 6 s past the restart).
      this.decision = ev.decision;
      if (ev.swept) this.promptId = promptIdOf(this.callId, 1);
      return this.giveUp(ev.at, this.fallbackReason ?? 'released at once');
    }
    const d = ev.decision ?? fallbackDecision(this.facts, this.settings.fallback);
    this.decision = d;
    const decided = this.timeline('decided', { record: d.record, consent: d.consent, fallbackReason: this.fallbackReason });
    const out: Command[] = [this.cmd('Watch', {})];
    if (d.consent === 'none' || d.greeting === null) {
      this.consentOutcome = 'not-required';
      return [...out, ...this.release(recordsAtGate(d) ? 'record' : 'skip', ev.at), decided];
    }
    this.state = 'consent';
    // While the prompt plays the call waits on us: should we vanish, the PBX's own fallback (the
    // same setting, installed globally) must not record a call whose decision forbids it.
    if (d.consent === 'opt-in' || !recordsAtGate(d)) out[0] = this.cmd('Watch', { neverRecordIfLost: true });
    this.promptId = promptIdOf(this.callId, ++this.prompts);
    const early = d.consent === 'announce' && !this.facts.answered;
    return [
      ...out, this.persist(), decided,
      // Keypad answers need an answered channel; an announcement alone goes out as early media so
      // the caller is not billed before an agent picks up (verified: the channel stays in Ring).
      ...(early || this.facts.answered ? [] : [this.cmd('Answer', {})]),
      this.cmd('Play', { promptId: this.promptId, sound: d.greeting.sound, language: d.greeting.language, early }),
      this.cmd('SetTimer', { timer: 'gate', ms: this.settings.promptAllowanceMs + this.settings.deadlineMs }),
    ];
  }

  private onAnswered(at: Date): Command[] {
    if (this.answeredAt) return [];
    this.answeredAt = at;
    return this.released ? [this.persist()] : [];
  }

  private onPromptFinished(promptId: string, at: Date): Command[] {
    if (this.state !== 'consent' || promptId !== this.promptId || this.promptDone) return [];
    this.promptDone = true;
    if (this.decision?.consent === 'announce') {
      this.consentOutcome = 'announced';
      return this.release(this.consented(), at);
    }
    return [this.cmd('SetTimer', { timer: 'gate', ms: Math.min(this.settings.dtmfTimeoutMs, this.settings.deadlineMs) })];
  }

  /** Consent obtained: the gate records, except on demand, which waits for *44 or the API. */
  private consented(): 'record' | 'skip' {
    return this.decision && recordsAtGate(this.decision) ? 'record' : 'skip';
  }

  /** Not heard is not announced: give up with what the fallback allows. */
  private onPromptFailed(promptId: string, failure: string, at: Date): Command[] {
    if (this.state !== 'consent' || promptId !== this.promptId || this.promptDone) return [];
    this.promptDone = true;
    return this.giveUp(at, `the prompt was not played: ${failure}`);
  }

  private onDtmf(digit: string, at: Date): Command[] {
    if (this.state !== 'consent') return [];
    const consent = this.decision?.consent;
    let outcome: ConsentOutcome | null = null;
    if (consent === 'opt-in' && digit === '1') outcome = 'accepted';
    else if (consent === 'opt-in' && digit === '2') outcome = 'declined';
    else if (consent === 'opt-out' && digit === '9') outcome = 'opted-out';
    if (!outcome) return [];
    this.consentOutcome = outcome;
    const stop = !this.promptDone && this.promptId ? [this.cmd('StopPrompt', { promptId: this.promptId })] : [];
    return [...stop, ...this.release(outcome === 'accepted' ? this.consented() : 'skip', at)];
  }

  private onTimer(ev: Extract<ControllerEvent, { type: 'TimerFired' }>): Command[] {
    if (ev.timer === 'finalize') return this.state === 'finalizing' ? [this.cmd('Finalize', {})] : [];
    if (this.state !== 'consent' || this.released) return [];
    if (this.promptDone && this.decision?.consent === 'opt-in') {
      this.consentOutcome = 'timeout';
      return this.release('skip', ev.at);
    }
    if (this.promptDone && this.decision?.consent === 'opt-out') {
      this.consentOutcome = 'announced';
      return this.release(this.consented(), ev.at);
    }
    return this.giveUp(ev.at, `gate deadline: the prompt did not finish within ${this.settings.promptAllowanceMs + this.settings.deadlineMs} ms`);
  }

  private onCommandFailed(ev: Extract<ControllerEvent, { type: 'CommandFailed' }>): Command[] {
    const why = `${ev.command} failed (${ev.kind}): ${ev.detail}`;
    if (ev.kind === 'not-found' && !this.released) return this.onHangup('channel gone', ev.at);
    if (ev.command === 'Continue') return this.retryContinue(why, ev.kind, ev.at);
    if (ev.command === 'SetDecision') {
      // Go on anyway: without CALLREC_DECIDED the dialplan applies its own fallback.
      this.fallbackReason ??= why;
      return [this.persist(), this.cmd('Continue', {})];
    }
    if (!this.released && (ev.command === 'Answer' || ev.command === 'Play' || ev.command === 'Watch')) return this.giveUp(ev.at, why);
    return this.withId(this.features.onFailed(ev.command, why, this.recording, (s) => { this.state = s; }));
  }

  private retryContinue(why: string, kind: string, at: Date): Command[] {
    if (kind === 'not-found') return this.onHangup('channel gone', at);
    if (++this.continueAttempts < 2) return [this.cmd('Continue', {})];
    this.fallbackReason ??= why;
    this.state = 'failed';
    this.endedAt = at;
    return [this.persist(true, this.recording !== null), this.timeline('release-failed', { reason: why })];
  }

  /** Stop waiting: release now with what the fallback allows, keeping the reason. */
  private giveUp(at: Date, reason: string): Command[] {
    if (this.released || TERMINAL.has(this.state)) return [];
    this.fallbackReason ??= reason;
    const stop = this.promptId && !this.promptDone ? [this.cmd('StopPrompt', { promptId: this.promptId })] : [];
    this.consentOutcome ??= 'fallback';
    const how = recordsOnGiveUp(this.decision, this.settings.fallback, this.consentOutcome === 'announced');
    if (this.decision === null) this.decision = fallbackDecision(this.facts, this.settings.fallback);
    return [this.cmd('Watch', {}), ...stop, ...this.release(how, at)];
  }

  /** Persist, set the decision, continue: the only way out of the gate. */
  private release(how: 'record' | 'skip' | 'dialplan', at: Date): Command[] {
    this.released = true;
    this.continueAttempts = 0;
    const clear = this.cmd('ClearTimer', { timer: 'gate' });
    const tl = this.timeline('released', { record: how, consentOutcome: this.consentOutcome, fallbackReason: this.fallbackReason });
    if (how === 'dialplan') {
      this.state = 'recording';
      return [clear, this.persist(), tl, this.cmd('Continue', {})];
    }
    if (how === 'skip' || !this.file || !this.decision) {
      this.state = 'not_recorded';
      return [clear, this.persist(), tl, this.cmd('SetDecision', { record: false, file: null, recorder: null, storedCallId: null }), this.cmd('Continue', {})];
    }
    this.state = 'recording';
    this.recording = this.newRecording(this.decision, this.file, at);
    return [
      clear, this.persist(true, true), tl,
      this.cmd('SetDecision', { record: true, file: this.file.pbxPath, recorder: this.recording.recorder, storedCallId: null }),
      this.cmd('Continue', {}),
    ];
  }

  private newRecording(d: GateDecision, file: PlannedFile, at: Date): RecordingView {
    void at;
    const recordMode = d.record === 'off' || d.record === 'on-demand' ? 'on-demand' : d.record;
    return {
      state: 'pending', file, pbxFile: null, recordMode, recorder: recorderSpec({ ...d, record: recordMode }), recorderId: null,
      startedAt: null, endedAt: null, pausedMs: 0, pausedSince: null, adopted: false, failureReason: null,
    };
  }

  private onRecordingStarted(ev: Extract<PbxEvent, { type: 'RecordingStarted' }>): Command[] {
    if (!this.released) return [];
    if (ev.recorderId && this.recording) this.recording.recorderId = ev.recorderId;
    if (!ev.file) return [];
    if (!this.recording) {
      // The dialplan's fallback (or an admin's own MixMonitor) recorded: keep what it wrote.
      if (this.state !== 'recording') return [];
      this.recording = {
        state: 'recording', file: null, pbxFile: ev.file, recordMode: 'from-ringing', recorder: PLAIN_RECORDER, recorderId: ev.recorderId,
        startedAt: ev.at, endedAt: null, pausedMs: 0, pausedSince: null, adopted: true, failureReason: null,
      };
      return [this.persist(true, true), this.timeline('started', { file: ev.file, adopted: true })];
    }
    if (this.recording.state !== 'pending') return [];
    this.recording.state = 'recording';
    this.recording.pbxFile = ev.file;
    this.recording.startedAt = ev.at;
    return [this.persist(false, true), this.timeline('started', { file: ev.file })];
  }

  private onFeature(action: FeatureAction, by: string | null, at: Date): Command[] {
    if (this.refusal(action)) return [];
    const r = this.features.apply(action, by, at, {
      recording: this.recording, decision: this.decision, file: this.file, pauseMode: this.settings.pauseMode,
      setState: (s) => { this.state = s; }, newRecording: (d, f) => this.newRecording(d, f, at),
      setRecording: (rec) => { this.recording = rec; },
    });
    return this.withId(r);
  }

  private withId(cmds: CommandSpec[]): Command[] {
    return cmds.map((c) => ({ ...c, callId: this.callId }) as Command);
  }

  private onParty(ev: Extract<PbxEvent, { type: 'PartyChanged' }>): Command[] {
    if (!ev.party || ev.party === this.party) return [];
    const kind = this.party === null ? 'answered' : ev.kind === 'left' ? 'left' : 'transfer';
    const previous = this.party;
    this.party = ev.party;
    // An outbound call's agent is the one placing it (the gate's argument), not the callee answering.
    const joined = kind !== 'left' && this.facts.direction !== 'outbound' && ev.agent && !this.agents.includes(ev.agent) ? ev.agent : null;
    if (joined) this.agents.push(joined);
    // The recorder stays on the caller's channel: a transfer is a timeline entry, never a new file.
    const tl = this.timeline(kind === 'answered' ? 'party-answered' : kind, { party: ev.party, previous, ...(ev.agent ? { agent: ev.agent } : {}) });
    return joined ? [this.persist(true, this.recording !== null), tl] : [tl];
  }

  private onHangup(cause: string | null, at: Date): Command[] {
    if (this.endedAt) return [];
    this.endedAt = at;
    this.hangupCause = cause;
    if (!this.released) {
      if (this.state === 'consent') this.consentOutcome = 'hung-up';
      this.state = 'not_recorded';
      this.released = true;
      return [this.cmd('ClearTimer', { timer: 'gate' }), this.persist(), this.timeline('hangup', { during: 'gate', cause })];
    }
    if (this.recording && (this.state === 'recording' || this.state === 'paused' || this.state === 'finalizing')) {
      if (this.recording.pausedSince) {
        this.recording.pausedMs += at.getTime() - this.recording.pausedSince.getTime();
        this.recording.pausedSince = null;
      }
      this.recording.endedAt ??= at;
      this.recording.state = 'finalizing';
      this.state = 'finalizing';
      return [this.persist(true, true), this.timeline('hangup', { cause }), this.cmd('SetTimer', { timer: 'finalize', ms: this.settings.finalizeGraceMs })];
    }
    if (this.state === 'recording') this.state = 'not_recorded'; // dialplan fallback that never recorded
    return [this.persist(), this.timeline('hangup', { cause })];
  }

  private onGone(at: Date): Command[] {
    const hang = this.endedAt ? [] : this.onHangup(null, at);
    if (this.state !== 'finalizing') return hang;
    // MixMonitor closes the file when the channel goes away: finalize now.
    return [...hang.filter((c) => c.type !== 'SetTimer'), this.cmd('ClearTimer', { timer: 'finalize' }), this.cmd('Finalize', {})];
  }

  private onFinalized(ev: Extract<ControllerEvent, { type: 'Finalized' }>): Command[] {
    if (this.state !== 'finalizing' || !this.recording) return [];
    this.recording.state = ev.outcome;
    this.state = ev.outcome === 'completed' ? 'done' : 'failed';
    return [this.persist(true, false), this.timeline(ev.outcome, ev.reason ? { reason: ev.reason } : {})];
  }
}
