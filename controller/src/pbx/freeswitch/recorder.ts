// Recorder control over the watching connection (uuid_record and friends). FreeSWITCH emits no
// event for mask/unmask/pause/resume, so the pause state is tracked here, per call.
import type { PauseMode } from '../../domain/vocabulary';
import { err, ok, type Result } from '../../util/result';
import type { PbxError } from '../port';
import type { EslApi } from './esl/session';
import { judge } from './replies';
import { VAR } from './dialplan-vars';


interface Recording { file: string; paused: PauseMode | null }

/** FreeSWITCH splits app and api arguments on spaces: a path with one would be cut. */
export function checkPath(file: string): Result<string, PbxError> {
  return file !== '' && !/\s/.test(file) ? ok(file) : err({ kind: 'rejected', detail: `recording path ${JSON.stringify(file)} is empty or has spaces` });
}

export class Recorders {
  private readonly byCall = new Map<string, Recording>();

  constructor(private readonly api: EslApi) {}

  /** RECORD_START seen (or found at reconnect): the switch writes this file for this call. */
  started(callId: string, file: string): void {
    if (this.byCall.get(callId)?.file !== file) this.byCall.set(callId, { file, paused: null });
  }

  stopped(callId: string): void { this.byCall.delete(callId); }

  isPaused(callId: string): boolean { return this.byCall.get(callId)?.paused != null; }

  async start(callId: string, file: string, stereo: boolean): Promise<Result<void, PbxError>> {
    const path = checkPath(file);
    if (!path.ok) return path;
    if (stereo) {
      const s = judge('uuid_setvar', await this.api(`uuid_setvar ${callId} ${VAR.RECORD_STEREO} true`));
      if (!s.ok) return s;
    }
    return judge('uuid_record start', await this.api(`uuid_record ${callId} start ${file}`));
  }

  /** mask keeps the timeline with silence; pause skips (the file is shorter). */
  async pause(callId: string, mode: PauseMode): Promise<Result<void, PbxError>> {
    const rec = this.byCall.get(callId);
    if (!rec) return err({ kind: 'not-found', detail: 'no recording in progress on this call' });
    if (rec.paused) return ok(undefined);
    const r = judge(`uuid_record ${mode === 'silence' ? 'mask' : 'pause'}`, await this.api(`uuid_record ${callId} ${mode === 'silence' ? 'mask' : 'pause'} ${rec.file}`));
    if (r.ok) rec.paused = mode;
    return r;
  }

  /**
   * After a restart the switch's pause state is unknown here (no event tells it), but the stored
   * session knows: its mode is used when this process did not pause the recorder itself.
   */
  async resume(callId: string, mode: PauseMode): Promise<Result<void, PbxError>> {
    const rec = this.byCall.get(callId);
    if (!rec) return err({ kind: 'not-found', detail: 'no recording in progress on this call' });
    const verb = (rec.paused ?? mode) === 'silence' ? 'unmask' : 'resume';
    const r = judge(`uuid_record ${verb}`, await this.api(`uuid_record ${callId} ${verb} ${rec.file}`));
    if (r.ok) rec.paused = null;
    return r;
  }

  async stop(callId: string): Promise<Result<void, PbxError>> {
    const file = this.byCall.get(callId)?.file ?? 'all';
    return judge('uuid_record stop', await this.api(`uuid_record ${callId} stop ${file}`));
  }
}
