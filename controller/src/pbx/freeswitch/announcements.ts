// Re-announcements to calls in progress (uuid_broadcast ... both): the switch reports each one's
// end on the recorded leg (PLAYBACK_STOP with the file and a status, as captured on 1.10.12). One
// not played to its end ("break") is reported as a prompt that failed: the recording must stop.
import type { PbxEvent } from '../../domain/pbx-events';
import type { Result } from '../../util/result';
import type { PbxError } from '../port';
import type { RawEvent } from './events';

export class Announcements {
  private readonly playing = new Map<string, { promptId: string; file: string }>();

  /** Plays `file` to both legs of the call, then follows its end. */
  async play(
    callId: string,
    promptId: string,
    file: string,
    api: (what: string, line: string) => Promise<Result<void, PbxError>>,
  ): Promise<Result<void, PbxError>> {
    const r = await api('uuid_broadcast', `uuid_broadcast ${callId} ${file} both`);
    if (r.ok) this.playing.set(callId, { promptId, file });
    return r;
  }

  /** The end of a call's announcement, as PromptFinished; null for any other event. */
  ended(e: RawEvent): PbxEvent | null {
    const callId = e['Unique-ID'] ?? '';
    const a = this.playing.get(callId);
    if (!a) return null;
    const name = e['Event-Name'];
    if (name === 'CHANNEL_DESTROY') this.playing.delete(callId);
    if (name !== 'PLAYBACK_STOP' || e['Playback-File-Path'] !== a.file) return null;
    this.playing.delete(callId);
    const status = e['Playback-Status'] ?? 'unknown';
    const failure = status === 'done' ? {} : { failure: `the announcement's playback ended ${status}` };
    return { type: 'PromptFinished', callId, at: new Date(), promptId: a.promptId, ...failure };
  }

  /** Announcements not yet ended: 0 once every call is over (tests). */
  tracked(): number {
    return this.playing.size;
  }
}
