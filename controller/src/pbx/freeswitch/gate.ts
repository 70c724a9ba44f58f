// A call in the outbound-socket gate: prompts, digits, decision and recorder start go over the
// call's own socket (in order with the switch's completions), then `exit` lets the dialplan go on.
import crypto from 'node:crypto';
import path from 'node:path';
import type { RecorderSpec } from '../../domain/recorder-spec';
import { err, ok, type Result } from '../../util/result';
import type { PbxError } from '../port';
import { beepTones } from './beep';
import type { GateChannel, RawHeaders } from './esl/outbound';
import type { EslFailure } from './esl/session';
import { checkPath } from './recorder';
import { fromFailure } from './replies';
import { VAR } from './dialplan-vars';

/** `callrec/announce` -> <soundsDir>/<lang>/callrec/announce.wav (the same WAVs as on Asterisk). */
export function soundFile(soundsDir: string, language: string, sound: string): string {
  if (path.isAbsolute(sound)) return sound;
  return path.posix.join(soundsDir, language, /\.\w+$/.test(sound) ? sound : `${sound}.wav`);
}

export interface RecordStart {
  file: string;
  recorder: RecorderSpec;
}

export class GatedCall {
  private readonly prompts = new Map<string, string>();
  answered: boolean;

  constructor(
    readonly ch: GateChannel,
    readonly language: string,
    private readonly soundsDir: string,
  ) {
    this.answered = ch.data['Answer-State'] === 'answered';
  }

  /**
   * The switch's completion of a prompt we started, once: its promptId, whether it was played,
   * and the hangup it reports (a caller hanging up ends the playback: the completion then comes
   * before the watcher's CHANNEL_HANGUP, so the gate must say it first).
   */
  finishedPrompt(e: RawHeaders): { promptId: string; failure: string | null; hangupCause: string | null } | null {
    if (e['Event-Name'] !== 'CHANNEL_EXECUTE_COMPLETE') return null;
    const id = e['Application-UUID'] ?? '';
    const promptId = this.prompts.get(id) ?? null;
    if (promptId === null) return null;
    this.prompts.delete(id);
    const response = e['Application-Response'] ?? '';
    const hungUp = e['Answer-State'] === 'hangup';
    return {
      promptId,
      failure: response === 'FILE PLAYED' ? null : `${response || 'no response'} (${e['Application-Data'] ?? ''})`,
      hangupCause: hungUp ? (e['Hangup-Cause'] ?? 'hangup') : null,
    };
  }

  async answer(): Promise<Result<void, PbxError>> {
    const r = await this.ch.run('answer', '');
    if (r.ok) this.answered = true;
    return done(r);
  }

  /** In the language the command names (the policy's greeting), else the call's own. */
  async play(promptId: string, sound: string, language: string | null = null): Promise<Result<void, PbxError>> {
    const id = crypto.randomUUID();
    this.prompts.set(id, promptId);
    const r = await this.ch.send('playback', soundFile(this.soundsDir, language ?? this.language, sound), id);
    if (r.ok) return ok(undefined);
    this.prompts.delete(id);
    return err(fromFailure(r.error));
  }

  /** Every variable in one burst of sendmsgs (async mode queues them in order): one round trip. */
  async setVariables(vars: Record<string, string>): Promise<Result<void, PbxError>> {
    const sent = await Promise.all(Object.entries(vars).map(([k, v]) => this.ch.send('set', `${k}=${v}`)));
    const failed = sent.find((r) => !r.ok);
    return failed && !failed.ok ? err(fromFailure(failed.error)) : ok(undefined);
  }

  /**
   * record_session on a ringing channel pre-answers it: that is record-from-ringing. From answer:
   * RECORD_BRIDGE_REQ=true (frames count only while bridged, as MixMonitor's `b`), and on a channel
   * still ringing execute_on_answer with a literal path (a ${var} inside is rejected by the switch)
   * so the caller keeps hearing ringing; an answered one (a keypad question) starts now. The beep's
   * tones (displace_session, which pre-answers too) start with the recorder, the same way: the
   * switch runs every variable named execute_on_answer* at answer.
   */
  async startRecording(rec: RecordStart): Promise<Result<void, PbxError>> {
    const file = checkPath(rec.file);
    if (!file.ok) return file;
    const { fromAnswer, stereo, beepEverySeconds } = rec.recorder;
    const beep = beepEverySeconds === null ? [] : beepTones(beepEverySeconds).map((t) => `${t.path} ${t.flags}`);
    const vars: Record<string, string> = {};
    if (stereo) vars[VAR.RECORD_STEREO] = 'true';
    if (fromAnswer) vars[VAR.RECORD_BRIDGE_REQ] = 'true';
    const onAnswer = fromAnswer && !this.answered;
    if (onAnswer) {
      vars[VAR.EXECUTE_ON_ANSWER] = `record_session ${rec.file}`;
      beep.forEach((arg, i) => {
        vars[`${VAR.EXECUTE_ON_ANSWER_BEEP}${i + 1}`] = `displace_session ${arg}`;
      });
    }
    const set = await this.setVariables(vars);
    if (!set.ok || onAnswer) return set;
    const sent = await Promise.all([
      this.ch.send('record_session', rec.file),
      ...beep.map((arg) => this.ch.send('displace_session', arg)),
    ]);
    const failed = sent.find((r) => !r.ok);
    return failed && !failed.ok ? err(fromFailure(failed.error)) : ok(undefined);
  }

  async release(): Promise<Result<void, PbxError>> {
    const r = await this.ch.exit();
    return r.ok ? r : err(fromFailure(r.error));
  }
}

function done(r: Result<unknown, EslFailure>): Result<void, PbxError> {
  return r.ok ? ok(undefined) : err(fromFailure(r.error));
}
