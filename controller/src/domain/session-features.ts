// Pause / resume / on-demand start / stop on a live call, from a feature code or the API.
import type { Command } from './commands';
import type { CallState, RecordMode } from './records';
import type { GateDecision, PlannedFile, RecordingView, SessionView } from './session-types';
import type { FeatureAction, PauseMode } from './vocabulary';
import { consentHeard, DECLINED } from './party-consent';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A command before the session stamps its call id on it. */
export type CommandSpec = DistributiveOmit<Command, 'callId'>;

export interface FeatureRefusal {
  kind: 'not-allowed' | 'invalid-state';
  detail: string;
}

export interface FeatureContext {
  recording: RecordingView | null;
  decision: GateDecision | null;
  file: PlannedFile | null;
  pauseMode: PauseMode;
  setState(s: CallState): void;
  setRecording(r: RecordingView): void;
  newRecording(d: GateDecision, f: PlannedFile): RecordingView;
}

const refuse = (kind: FeatureRefusal['kind'], detail: string): FeatureRefusal => ({ kind, detail });

export class FeatureRules {
  refusal(action: FeatureAction, v: SessionView, released: boolean): FeatureRefusal | null {
    if (!released) return refuse('invalid-state', 'the call is still in the gate');
    if (v.endedAt) return refuse('invalid-state', 'the call has ended');
    const rec = v.recording;
    switch (action) {
      case 'pause':
        if (v.state !== 'recording' || !rec)
          return refuse('invalid-state', `cannot pause: the call is ${v.state.replace('_', ' ')}`);
        if (rec.state !== 'recording')
          return refuse('invalid-state', 'cannot pause: the PBX has not confirmed the recording yet');
        if (!v.pauseAllowed) return refuse('not-allowed', 'this applet does not allow pausing');
        return null;
      case 'resume':
        return v.state === 'paused' ? null : refuse('invalid-state', 'cannot resume: the recording is not paused');
      case 'start':
        if (v.consentOutcome && DECLINED.has(v.consentOutcome))
          return refuse('not-allowed', `the caller did not consent (${v.consentOutcome})`);
        if (v.decision && !consentHeard(v.decision.consent, v.consentOutcome))
          return refuse('not-allowed', `the caller did not get the ${v.decision.consent} the gate had to give`);
        if (v.state !== 'not_recorded')
          return refuse('invalid-state', `cannot start: the call is ${v.state.replace('_', ' ')}`);
        return null;
      case 'stop':
        return v.state === 'recording' || v.state === 'paused'
          ? null
          : refuse('invalid-state', 'cannot stop: nothing is recording');
    }
  }

  /** `mode`: what a start records as (on-demand when asked for; from-answer when a user's mode starts it). */
  apply(
    action: FeatureAction,
    by: string | null,
    at: Date,
    ctx: FeatureContext,
    mode: RecordMode = 'on-demand',
  ): CommandSpec[] {
    const rec = ctx.recording;
    const tl = (event: string, detail: Record<string, unknown> = {}): CommandSpec => ({
      type: 'Timeline',
      event,
      detail: { by, ...detail },
    });
    const persist: CommandSpec = { type: 'Persist', call: true, recording: true };
    if (action === 'pause' && rec) {
      rec.state = 'paused';
      rec.pausedSince = at;
      ctx.setState('paused');
      return [
        persist,
        tl('paused', { mode: ctx.pauseMode }),
        { type: 'PauseRecording', mode: ctx.pauseMode, recorderId: rec.recorderId },
      ];
    }
    if (action === 'resume' && rec) {
      if (rec.pausedSince) rec.pausedMs += at.getTime() - rec.pausedSince.getTime();
      rec.pausedSince = null;
      rec.state = 'recording';
      ctx.setState('recording');
      const file = rec.pbxFile ?? rec.file?.pbxPath ?? '';
      return [
        persist,
        tl('resumed', { pausedMs: rec.pausedMs }),
        { type: 'ResumeRecording', mode: ctx.pauseMode, file, recorder: rec.recorder },
      ];
    }
    if (action === 'start') return this.start(ctx, tl, persist, mode);
    if (action === 'stop' && rec) {
      if (rec.pausedSince) rec.pausedMs += at.getTime() - rec.pausedSince.getTime();
      rec.pausedSince = null;
      rec.endedAt = at;
      rec.state = 'finalizing';
      ctx.setState('finalizing');
      return [persist, tl('stopped'), { type: 'StopRecording', recorderId: rec.recorderId }];
    }
    return [];
  }

  private start(
    ctx: FeatureContext,
    tl: (e: string) => CommandSpec,
    persist: CommandSpec,
    mode: RecordMode,
  ): CommandSpec[] {
    if (!ctx.file) return [tl('start-refused')];
    const base =
      ctx.decision ??
      ({
        record: 'on-demand',
        consent: 'none',
        greeting: null,
        pauseAllowed: true,
        beep: false,
        stereo: false,
        tier: 'standard',
      } as GateDecision);
    // Records from the moment it is asked for, bridged or not.
    const rec = ctx.newRecording({ ...base, record: mode }, ctx.file);
    ctx.setRecording(rec);
    ctx.setState('recording');
    return [persist, tl('start-requested'), { type: 'StartRecording', file: ctx.file.pbxPath, recorder: rec.recorder }];
  }

  onFailed(command: string, why: string, rec: RecordingView | null, setState: (s: CallState) => void): CommandSpec[] {
    const tl = (event: string): CommandSpec => ({ type: 'Timeline', event, detail: { reason: why } });
    const persist: CommandSpec = { type: 'Persist', call: true, recording: true };
    if (!rec) return [tl('command-failed')];
    if (command === 'PauseRecording') {
      rec.state = 'recording';
      rec.pausedSince = null;
      setState('recording');
      return [persist, tl('pause-failed')];
    }
    if (command === 'StartRecording') {
      rec.state = 'failed';
      rec.failureReason = why;
      setState('not_recorded');
      return [persist, tl('start-failed')];
    }
    return [tl(command === 'ResumeRecording' ? 'resume-failed' : 'command-failed')];
  }
}
