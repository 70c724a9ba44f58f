// Simulated ARI events, built from the real traces' events (templates) so their shape is the wire's.
import { templateOf, type TraceEvent } from '../traces';

export interface SimChannel {
  id: string;
  name: string;
  state: string;
  protocol_id: string;
  caller: { name: string; number: string };
  connected: { name: string; number: string };
  accountcode: string;
  dialplan: { context: string; exten: string; priority: number; app_name: string; app_data: string };
  creationtime: string;
  language: string;
}

export const ariNow = (d = new Date()): string => d.toISOString().replace('Z', '+0000');

const TEMPLATES = new Map<string, TraceEvent>();
function template(type: string): TraceEvent {
  let t = TEMPLATES.get(type);
  if (!t) {
    const trace =
      type === 'ChannelUserevent' || type === 'ChannelDtmfReceived' || type === 'Dial'
        ? 'q7-feature-caller-dtmf.subscribeall.jsonl'
        : 'q4-gate-subscribe-dtmf.callrec.jsonl';
    t = templateOf(type, trace);
    TEMPLATES.set(type, t);
  }
  return JSON.parse(JSON.stringify(t)) as TraceEvent;
}

/** An event of `type` shaped like the trace's, with this channel and these fields. */
export function channelEvent(
  type: string,
  ch: SimChannel,
  app: string,
  fields: Record<string, unknown> = {},
): TraceEvent {
  const e = template(type);
  for (const k of Object.keys(e))
    if (!['type', 'timestamp', 'asterisk_id', 'application', 'channel'].includes(k) && !(k in fields)) delete e[k];
  return { ...e, ...fields, type, timestamp: ariNow(), channel: { ...ch }, application: app };
}

export function playbackEvent(
  type: 'PlaybackStarted' | 'PlaybackFinished',
  playback: Record<string, unknown>,
  app: string,
): TraceEvent {
  const e = template(type);
  return { ...e, type, timestamp: ariNow(), playback, application: app };
}
