// AMI events callrec uses, typed. Field names are those of the q6/q7 traces
// (test/fixtures/asterisk-22/traces); everything else on the wire is dropped here.
import type { AmiMessage } from './wire';

interface ChannelRef {
  /** Channel name, e.g. "Local/100@hp-mm-00000a49;2" (what the MixMonitor actions take). */
  channel: string;
  /** Uniqueid: the ARI channel id. */
  uniqueId: string;
  linkedId: string;
}

export type AmiEvent =
  | (ChannelRef & { type: 'MixMonitorStart' })
  | (ChannelRef & { type: 'MixMonitorStop' })
  | (ChannelRef & { type: 'MixMonitorMute'; direction: 'read' | 'write' | 'both'; muted: boolean })
  | (ChannelRef & { type: 'UserEvent'; name: string; fields: Readonly<Record<string, string>> })
  | (ChannelRef & { type: 'Hangup'; cause: string });

export type AmiEventType = AmiEvent['type'];

// The `Events:` classes at login: MixMonitor events and Hangup are "call", UserEvent is "user".
export const LOGIN_EVENT_CLASSES = 'call,user';

const REF_KEYS = new Set([
  'Event',
  'Privilege',
  'Channel',
  'ChannelState',
  'ChannelStateDesc',
  'CallerIDNum',
  'CallerIDName',
  'ConnectedLineNum',
  'ConnectedLineName',
  'Language',
  'AccountCode',
  'Context',
  'Exten',
  'Priority',
  'Uniqueid',
  'Linkedid',
  'UserEvent',
]);

/** Maps a raw AMI event to a typed one; null for events callrec does not use or malformed ones. */
export function toAmiEvent(m: AmiMessage): AmiEvent | null {
  const channel = m.Channel;
  const uniqueId = m.Uniqueid;
  if (!channel || !uniqueId) return null;
  const ref: ChannelRef = { channel, uniqueId, linkedId: m.Linkedid ?? uniqueId };
  switch (m.Event) {
    case 'MixMonitorStart':
      return { ...ref, type: 'MixMonitorStart' };
    case 'MixMonitorStop':
      return { ...ref, type: 'MixMonitorStop' };
    case 'MixMonitorMute': {
      const direction = m.Direction;
      if (direction !== 'read' && direction !== 'write' && direction !== 'both') return null;
      return { ...ref, type: 'MixMonitorMute', direction, muted: m.State === '1' };
    }
    case 'UserEvent': {
      const fields: Record<string, string> = {};
      for (const [k, v] of Object.entries(m)) if (!REF_KEYS.has(k)) fields[k.toLowerCase()] = v;
      return { ...ref, type: 'UserEvent', name: m.UserEvent ?? '', fields };
    }
    case 'Hangup':
      return { ...ref, type: 'Hangup', cause: m.Cause ?? '' };
    default:
      return null;
  }
}
