// The channels whose events callrec wants. The events websocket subscribes to every channel
// (`subscribeAll`), so no request per call is needed to keep a call's events once it leaves
// Stasis: the gate's only request is `continue`. Events of channels callrec does not follow (other
// calls on the PBX) are dropped here, before they are read further.
import type { Logger } from '../../util/logger';
import type { AriHttp } from './ari-http';
import { SNOOP_PREFIX } from './announce';
import { CHANNEL_EVENTS, OTHER_EVENTS } from './events';

/** The event types the adapter reads (events.ts, announce.ts): the filter set on Asterisk. */
export const EVENTS_READ: readonly string[] = [...CHANNEL_EVENTS, ...OTHER_EVENTS];

type Raw = Record<string, unknown> | null;

const TYPE_KEY = /[{,]"type":"([A-Za-z]+)"/;
const CHANNEL_ID = /[{,]"channel":\{"id":"([^"\\]+)"/;
/** Channel events whose only object is the channel (a user event's body may hold any keys). */
const SKIPPABLE = new Set<string>(CHANNEL_EVENTS.filter((t) => t !== 'StasisStart' && t !== 'ChannelUserevent'));

/**
 * Only the event types callrec reads cross the websocket: with every channel subscribed, the
 * dialplan steps and variables of every call on the PBX would otherwise reach us (Asterisk 16.3+).
 */
export async function filterEvents(http: AriHttp, app: string, logger: Logger): Promise<void> {
  const r = await http.request(
    'PUT',
    `/applications/${encodeURIComponent(app)}/eventFilter`,
    {},
    {
      allowed: EVENTS_READ.map((type) => ({ type })),
      disallowed: [],
    },
  );
  if (!r.ok) logger.warn(`could not filter the application's events (every event is sent): ${r.error.detail}`);
}

const idOf = (v: unknown): string | null => {
  const id = (v as { id?: unknown } | null | undefined)?.id;
  return typeof id === 'string' && id !== '' ? id : null;
};

export class FollowedChannels {
  /** Channel id -> when it was followed (performance.now()) and its name as last seen (AMI addresses channels by name). */
  private readonly since = new Map<string, { at: number; name: string | null }>();

  constructor(private readonly app: string) {}

  follow(id: string): void {
    if (!this.since.has(id)) this.since.set(id, { at: performance.now(), name: null });
  }

  /** The channel's name as an event of it showed it; only for a followed channel. */
  noteName(id: string, name: string): void {
    const f = this.since.get(id);
    if (f) f.name = name;
  }

  name(id: string): string | null {
    return this.since.get(id)?.name ?? null;
  }

  unfollow(id: string): void {
    this.since.delete(id);
  }

  has(id: string | null): boolean {
    return id !== null && this.since.has(id);
  }

  get size(): number {
    return this.since.size;
  }

  /**
   * A (re)connect listed the PBX's channels at `askedAt`: a channel followed before then and not
   * in the list ended while the events could not reach us. Returns those, forgotten.
   */
  prune(listed: ReadonlySet<string>, askedAt: number): string[] {
    const gone = [...this.since].filter(([id, f]) => f.at < askedAt && !listed.has(id)).map(([id]) => id);
    for (const id of gone) this.since.delete(id);
    return gone;
  }

  /**
   * Before parsing: true for a frame that is certainly a channel event of a channel not followed,
   * which is most of what `subscribeAll` brings (every channel's variables and states). Only
   * structural keys match (a quote inside a JSON string is always escaped), only the types whose
   * one object is the channel, and our snoop channels are left to the announcer. Anything the
   * patterns do not find is parsed and judged by wants().
   */
  skips(text: string): boolean {
    const type = TYPE_KEY.exec(text)?.[1];
    if (type === undefined || !SKIPPABLE.has(type)) return false;
    const id = CHANNEL_ID.exec(text)?.[1];
    return id !== undefined && !this.since.has(id) && !id.startsWith(SNOOP_PREFIX);
  }

  /** Whether an event concerns a followed channel (or a call entering our application). */
  wants(raw: unknown): boolean {
    const r = raw as Raw;
    switch (r?.type) {
      case 'StasisStart':
        return this.entersOurs(r.channel);
      case 'Dial':
        return this.has(idOf(r.caller)) || this.has(idOf(r.peer));
      case 'BridgeBlindTransfer':
        return this.has(idOf(r.channel)) || this.has(idOf(r.transferee)) || this.has(idOf(r.replace_channel));
      case 'PlaybackFinished': {
        const target = (r.playback as { target_uri?: unknown } | undefined)?.target_uri;
        return typeof target === 'string' && this.has(target.replace(/^channel:/, ''));
      }
      default: {
        const id = idOf(r?.channel);
        return id === null || this.since.has(id);
      }
    }
  }

  /** Asterisk sends StasisStart only for its own application; a dialplan naming another is refused anyway. */
  private entersOurs(channel: unknown): boolean {
    const dp = (channel as { dialplan?: { app_name?: unknown; app_data?: unknown } } | null)?.dialplan;
    if (dp?.app_name !== 'Stasis' || typeof dp.app_data !== 'string') return true;
    return dp.app_data.split(',')[0]?.trim() === this.app;
  }
}
