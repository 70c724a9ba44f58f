// Recorder control over the watching connection (uuid_record and friends). FreeSWITCH emits no
// event for mask/unmask/pause/resume, so the pause state is tracked here, per call, and so are the
// beep's displaced tones (beep.ts), which live and pause with the recorder as Asterisk's do with MixMonitor.
import type { RecorderSpec } from '../../domain/recorder-spec';
import type { PauseMode } from '../../domain/vocabulary';
import { err, ok, type Result } from '../../util/result';
import type { PbxError } from '../port';
import { beepTones } from './beep';
import type { EslApi } from './esl/session';
import { judge } from './replies';
import { VAR } from './dialplan-vars';

interface Recording {
  file: string;
  paused: PauseMode | null;
}

/** FreeSWITCH splits app and api arguments on spaces: a path with one would be cut. */
export function checkPath(file: string): Result<string, PbxError> {
  return file !== '' && !/\s/.test(file)
    ? ok(file)
    : err({ kind: 'rejected', detail: `recording path ${JSON.stringify(file)} is empty or has spaces` });
}

/** A beep that could not be restarted or stopped while the recording goes on: said here. */
export type BeepWarning = (callId: string, detail: string) => void;

export class Recorders {
  private readonly byCall = new Map<string, Recording>();
  /** Displace paths of the beep running on each call: started here, by the gate, or found at connect. */
  private readonly beeps = new Map<string, string[]>();

  constructor(
    private readonly api: EslApi,
    private readonly warn: BeepWarning = () => undefined,
  ) {}

  /** RECORD_START seen (or found at reconnect): the switch writes this file for this call. */
  started(callId: string, file: string): void {
    if (this.byCall.get(callId)?.file !== file) this.byCall.set(callId, { file, paused: null });
  }

  stopped(callId: string): void {
    this.byCall.delete(callId);
    this.beeps.delete(callId);
  }

  /** These beep tones run on the call (the gate queued them, or uuid_buglist showed them). */
  beeping(callId: string, paths: string[]): void {
    if (paths.length > 0) this.beeps.set(callId, paths);
  }

  isPaused(callId: string): boolean {
    return this.byCall.get(callId)?.paused != null;
  }

  /**
   * uuid_record start, then the beep: from now, whether the call is bridged or not (on demand). A
   * beep that cannot start (mod_tone_stream missing, say) takes the recorder down with it and fails
   * the command, as MixMonitor refuses to record when its B option cannot beep.
   */
  async start(callId: string, file: string, spec: RecorderSpec): Promise<Result<void, PbxError>> {
    const path = checkPath(file);
    if (!path.ok) return path;
    if (spec.stereo) {
      const s = judge('uuid_setvar', await this.api(`uuid_setvar ${callId} ${VAR.RECORD_STEREO} true`));
      if (!s.ok) return s;
    }
    const r = judge('uuid_record start', await this.api(`uuid_record ${callId} start ${file}`));
    if (!r.ok) return r;
    const beep = await this.startBeep(callId, spec.beepEverySeconds);
    if (beep.ok) return r;
    await this.stopBeep(callId);
    await this.api(`uuid_record ${callId} stop ${file}`);
    return beep;
  }

  private async startBeep(callId: string, seconds: number | null): Promise<Result<void, PbxError>> {
    if (seconds === null || this.beeps.has(callId)) return ok(undefined);
    const started: string[] = [];
    for (const t of beepTones(seconds)) {
      const r = judge('uuid_displace start', await this.api(`uuid_displace ${callId} start ${t.path} 0 ${t.flags}`));
      if (!r.ok) {
        this.beeping(callId, started);
        return err({ kind: r.error.kind, detail: `the beep did not start: ${r.error.detail}` });
      }
      started.push(t.path);
    }
    this.beeping(callId, started);
    return ok(undefined);
  }

  private async stopBeep(callId: string): Promise<void> {
    for (const path of this.beeps.get(callId) ?? []) {
      const r = judge('uuid_displace stop', await this.api(`uuid_displace ${callId} stop ${path}`));
      if (!r.ok) this.warn(callId, `the beep did not stop: ${r.error.detail}`);
    }
    this.beeps.delete(callId);
  }

  /** mask keeps the timeline with silence; pause skips (the file is shorter). */
  async pause(callId: string, mode: PauseMode): Promise<Result<void, PbxError>> {
    const rec = this.byCall.get(callId);
    if (!rec) return err({ kind: 'not-found', detail: 'no recording in progress on this call' });
    if (rec.paused) return ok(undefined);
    const r = judge(
      `uuid_record ${mode === 'silence' ? 'mask' : 'pause'}`,
      await this.api(`uuid_record ${callId} ${mode === 'silence' ? 'mask' : 'pause'} ${rec.file}`),
    );
    if (r.ok) rec.paused = mode;
    // As on Asterisk, where skipping stops the MixMonitor and its beep; a masked call keeps beeping.
    if (r.ok && mode === 'skip') await this.stopBeep(callId);
    return r;
  }

  /**
   * After a restart the switch's pause state is unknown here (no event tells it), but the stored
   * session knows: its mode is used when this process did not pause the recorder itself.
   */
  async resume(callId: string, mode: PauseMode, spec: RecorderSpec): Promise<Result<void, PbxError>> {
    const rec = this.byCall.get(callId);
    if (!rec) return err({ kind: 'not-found', detail: 'no recording in progress on this call' });
    const verb = (rec.paused ?? mode) === 'silence' ? 'unmask' : 'resume';
    const r = judge(`uuid_record ${verb}`, await this.api(`uuid_record ${callId} ${verb} ${rec.file}`));
    if (r.ok) rec.paused = null;
    if (!r.ok || verb !== 'resume') return r;
    const beep = await this.startBeep(callId, spec.beepEverySeconds);
    if (!beep.ok) this.warn(callId, `recording resumed without its beep: ${beep.error.detail}`);
    return r;
  }

  async stop(callId: string): Promise<Result<void, PbxError>> {
    const file = this.byCall.get(callId)?.file ?? 'all';
    const r = judge('uuid_record stop', await this.api(`uuid_record ${callId} stop ${file}`));
    // Whatever the recorder answered (one already stopped answers -ERR): no recording, no beep.
    await this.stopBeep(callId);
    return r;
  }
}
