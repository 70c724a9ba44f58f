// Re-announcement to a call that has left Stasis (a transfer reached a party who must hear it):
// ARI cannot play to such a channel, but it can snoop on it. A snoop channel whispering both ways
// enters our application; the sound played on it reaches both parties, and MixMonitor records it.
// The snoop channel is hung up once the sound has played (or has failed to start).
import type { PbxCommand } from '../../domain/commands';
import type { Logger } from '../../util/logger';
import { err, ok, type Result } from '../../util/result';
import type { PbxError } from '../port';
import type { AriHttp } from './ari-http';

/** Stasis argument of a snoop channel: not a gate (intercept() takes its events). */
export const ANNOUNCE_ARG = 'announce';
/** Channel ids of our snoop channels: the sweep hangs up any left over from before a restart. */
export const SNOOP_PREFIX = 'callrec-snoop-';
/** A snoop channel is named after its announcement's prompt id, which is also its playback id. */
const snoopOf = (promptId: string): string => `${SNOOP_PREFIX}${promptId}`;
const promptOf = (snoopId: string): string => snoopId.slice(SNOOP_PREFIX.length);
const ENTER_MS = 5000;

type Announce = Extract<PbxCommand, { type: 'Announce' }>;

interface Pending {
  cmd: Announce;
  done: (r: Result<void, PbxError>) => void;
  timer: NodeJS.Timeout;
}

export class Announcer {
  /** Snoop channel id -> its announcement, until the channel is in Stasis and playing. */
  private readonly pending = new Map<string, Pending>();
  /** Playback (prompt) id -> the recorded call, until the playback finishes. */
  private readonly playing = new Map<string, string>();

  constructor(
    private readonly http: AriHttp,
    private readonly app: string,
    private readonly logger: Logger,
    /** An announcement that started but was not heard to its end (the playback failed, the snoop went). */
    private readonly cutShort: (callId: string, promptId: string, detail: string) => void,
  ) {}

  /** Ours and still in use: the reconnect sweep leaves it up. */
  tracks(channelId: string): boolean {
    return this.pending.has(channelId) || this.playing.has(promptOf(channelId));
  }

  /** Resolves once the sound is playing on the call (or with why it could not). */
  announce(cmd: Announce): Promise<Result<void, PbxError>> {
    const snoopId = snoopOf(cmd.promptId);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(snoopId);
        void this.hangup(snoopId);
        resolve(err({ kind: 'timeout', detail: `the snoop channel did not enter ${this.app} within ${ENTER_MS} ms` }));
      }, ENTER_MS);
      this.pending.set(snoopId, { cmd, done: resolve, timer });
      void this.http
        .request('POST', `/channels/${encodeURIComponent(cmd.callId)}/snoop`, {
          spy: 'none',
          whisper: 'both',
          app: this.app,
          appArgs: ANNOUNCE_ARG,
          snoopId,
        })
        .then((r) => {
          if (r.ok) return;
          clearTimeout(timer);
          this.pending.delete(snoopId);
          resolve(r);
        });
    });
  }

  /** Takes the events of our snoop channels and announcements (true): they are no call's. */
  intercept(raw: unknown): boolean {
    const r = raw as {
      type?: unknown;
      channel?: { id?: unknown };
      playback?: { id?: unknown; state?: unknown };
    } | null;
    if (r?.type === 'PlaybackFinished' && typeof r.playback?.id === 'string')
      return this.finished(r.playback.id, r.playback.state);
    const id = r?.channel?.id;
    if (typeof id !== 'string' || !id.startsWith(SNOOP_PREFIX)) return false;
    if (r?.type === 'StasisStart') this.entered(id);
    if (r?.type === 'ChannelDestroyed') this.gone(id);
    return true;
  }

  /** A snoop channel went while its sound played (the call hung up, or someone hung it up). */
  private gone(channelId: string): void {
    const playbackId = promptOf(channelId);
    const callId = this.playing.get(playbackId);
    if (callId === undefined) return;
    this.playing.delete(playbackId);
    this.cutShort(callId, playbackId, 'the snoop channel went before the announcement ended');
  }

  /** A snoop channel of ours entered Stasis: play on it. */
  private entered(channelId: string): void {
    const p = this.pending.get(channelId);
    if (!p) return void this.hangup(channelId); // its announcement timed out meanwhile
    this.pending.delete(channelId);
    clearTimeout(p.timer);
    const q: Record<string, string> = { media: `sound:${p.cmd.sound}` };
    if (p.cmd.language) q.lang = p.cmd.language;
    const playbackId = p.cmd.promptId;
    this.playing.set(playbackId, p.cmd.callId);
    void this.http
      .request('POST', `/channels/${encodeURIComponent(channelId)}/play/${encodeURIComponent(playbackId)}`, q)
      .then((r) => {
        if (r.ok) return p.done(ok(undefined));
        this.playing.delete(playbackId);
        void this.hangup(channelId);
        p.done(r);
      });
  }

  /** A playback finished: hang up its snoop channel; not played to its end is cut short. False if not ours. */
  private finished(playbackId: string, state: unknown): boolean {
    const callId = this.playing.get(playbackId);
    if (callId === undefined) return false;
    this.playing.delete(playbackId);
    if (state !== 'done') this.cutShort(callId, playbackId, `the announcement's playback ended ${String(state)}`);
    void this.hangup(snoopOf(playbackId));
    return true;
  }

  /** Snoop channels and playbacks still remembered: 0 once every announcement is over (tests). */
  tracked(): number {
    return this.pending.size + this.playing.size;
  }

  async hangup(channelId: string): Promise<void> {
    const r = await this.http.request('DELETE', `/channels/${encodeURIComponent(channelId)}`);
    if (!r.ok && r.error.kind !== 'not-found')
      this.logger.warn(`could not hang up the announcement's snoop channel: ${r.error.detail}`, { callId: channelId });
  }
}
