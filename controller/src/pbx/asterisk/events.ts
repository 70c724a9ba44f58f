// ARI wire events -> normalized PbxEvents. Shapes as captured on Asterisk 22
// (test/fixtures/asterisk-22/traces). Anything unknown or malformed is reported and dropped:
// an event must never crash the controller.
import { isNumber, presentNumber, type GateFacts, type PbxEvent } from '../../domain/pbx-events';
import { isFeatureAction } from '../../domain/vocabulary';
import type { DropReporter } from '../port';
import { ariTime } from './ari-time';
import { FEATURE_USER_EVENT, GATE_ARG, GATE_ARGS, VAR } from './dialplan-vars';

interface AriChannel {
  id: string;
  name: string;
  state: string;
  language?: string;
  caller?: { name?: string; number?: string };
  connected?: { name?: string; number?: string };
  dialplan?: { context?: string; exten?: string; app_name?: string; app_data?: string };
}

type Raw = Record<string, unknown>;

const isObj = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** Events we know and do not need: dropped without a word (a call produces dozens). */
const IGNORED = new Set([
  'StasisEnd',
  'ChannelDialplan',
  'ChannelCallerId',
  'ChannelConnectedLine',
  'ChannelCreated',
  'DeviceStateChanged',
  'PlaybackStarted',
  'PlaybackContinuing',
  'BridgeCreated',
  'BridgeDestroyed',
  'ChannelEnteredBridge',
  'ChannelLeftBridge',
  'ChannelTalkingStarted',
  'ChannelTalkingFinished',
  'ChannelHold',
  'ChannelUnhold',
  'ChannelToneDetected',
  'RecordingStarted',
  'RecordingFinished',
  'RecordingFailed',
  'EndpointStateChange',
  'ApplicationReplaced',
  'BridgeMerged',
  'BridgeVideoSourceChanged',
  'ContactStatusChange',
  'PeerStatusChange',
  'TextMessageReceived',
  'ApplicationMoveFailed',
  'ApplicationRegistered',
  'ApplicationUnregistered',
  // The transferee's new peer shows as BRIDGEPEER on the recorded channel, with its number.
  'BridgeAttendedTransfer',
]);

/** The channel events mapped below; with the others read above, the types the adapter asks Asterisk for. */
export const CHANNEL_EVENTS = [
  'StasisStart',
  'ChannelStateChange',
  'ChannelDtmfReceived',
  'ChannelVarset',
  'ChannelUserevent',
  'ChannelHangupRequest',
  'ChannelDestroyed',
] as const;
/** The other events read: by mapEvent (playbacks, dials, blind transfers) and the announcer. */
export const OTHER_EVENTS = ['PlaybackFinished', 'Dial', 'BridgeBlindTransfer'] as const;

export function asChannel(v: unknown): AriChannel | null {
  if (!isObj(v) || typeof v.id !== 'string' || v.id === '' || typeof v.name !== 'string') return null;
  return v as unknown as AriChannel;
}

const DIRECTIONS = new Set(['inbound', 'outbound', 'internal']);

/** Each gate argument's place in the Stasis arguments. */
const ARG_AT = Object.fromEntries(GATE_ARGS.map((name, i) => [name, i])) as Record<(typeof GATE_ARGS)[number], number>;

/**
 * Facts from a channel in Stasis(<app>,gate,<flow>,<applet>,<direction>,<campaign>,<agent>,<to>).
 * The gate runs in a Gosub whose exten is `s`: the dialed number comes as the last argument (read
 * by the dialplan from the calling frame); an older gate without it leaves connected line or exten.
 */
export function gateFacts(ch: AriChannel, args: readonly unknown[]): { facts: GateFacts; problem: string | null } {
  const a = args.map((x) => (typeof x === 'string' ? x.trim() : ''));
  const arg = (name: (typeof GATE_ARGS)[number]): string => a[ARG_AT[name]] ?? '';
  const direction = arg('direction');
  const facts: GateFacts = {
    flow: arg('flow'),
    applet: arg('applet'),
    direction: DIRECTIONS.has(direction) ? (direction as GateFacts['direction']) : 'inbound',
    from: presentNumber(ch.caller?.number),
    to: presentNumber(arg('to')) ?? presentNumber(ch.connected?.number) ?? presentNumber(ch.dialplan?.exten),
    campaign: arg('campaign') || null,
    agent: arg('agent') || null,
    language: ch.language || null,
    answered: ch.state === 'Up',
  };
  let problem: string | null = null;
  if (a[0] !== GATE_ARG)
    problem = `unknown Stasis arguments ${JSON.stringify(args)} (expected ${GATE_ARG},<flow>,<applet>)`;
  else if (!facts.flow || !facts.applet) problem = `gate without flow/applet: ${JSON.stringify(args)}`;
  else if (direction && !DIRECTIONS.has(direction))
    problem = `gate with unknown direction ${JSON.stringify(direction)} (inbound, outbound or internal)`;
  return { facts, problem };
}

/** The gate contract a StasisStart's dialplan names in its last argument ('' when it names none). */
export function contractOf(raw: unknown): string {
  const args = (raw as { args?: unknown } | null)?.args;
  const v = Array.isArray(args) ? args[ARG_AT.contract] : undefined;
  return typeof v === 'string' ? v.trim() : '';
}

/** Stasis app_data "callrec,gate,sales,dial" -> the args after the app name. */
export function argsFromAppData(appData: string): string[] {
  return appData.split(',').slice(1);
}

export function toPbxEvent(raw: unknown, onDrop: DropReporter = () => undefined): PbxEvent | null {
  if (!isObj(raw) || typeof raw.type !== 'string') {
    onDrop('event without a type', null);
    return null;
  }
  try {
    return mapEvent(raw, raw.type, onDrop);
  } catch (e) {
    onDrop(`could not read ${raw.type}: ${(e as Error).message}`, channelIdOf(raw));
    return null;
  }
}

function channelIdOf(raw: Raw): string | null {
  return asChannel(raw.channel)?.id ?? null;
}

function mapEvent(raw: Raw, type: string, onDrop: DropReporter): PbxEvent | null {
  const at = ariTime(raw.timestamp);
  if (type === 'StasisStart') return gateEntered(raw, at, onDrop);
  if (type === 'PlaybackFinished') return playbackFinished(raw, at, onDrop);
  if (type === 'Dial') return dial(raw, at);
  if (type === 'BridgeBlindTransfer') return blindTransfer(raw, at);
  if (IGNORED.has(type)) return null;
  const ch = asChannel(raw.channel);
  if (!(CHANNEL_EVENTS as readonly string[]).includes(type)) {
    onDrop(`unknown event type ${type}`, ch?.id ?? null);
    return null;
  }
  if (!ch) {
    onDrop(`${type} without a usable channel`, null);
    return null;
  }
  const base = { callId: ch.id, at };
  switch (type) {
    case 'ChannelStateChange':
      return ch.state === 'Up' ? { ...base, type: 'CallAnswered' } : null;
    case 'ChannelDtmfReceived': {
      const digit = str(raw.digit);
      if (!digit) {
        onDrop('ChannelDtmfReceived without a digit', ch.id);
        return null;
      }
      return { ...base, type: 'DtmfReceived', digit };
    }
    case 'ChannelVarset':
      return varset(raw, ch, base);
    case 'ChannelUserevent':
      return userEvent(raw, base, onDrop);
    case 'ChannelHangupRequest':
      return { ...base, type: 'CallHungUp', cause: raw.cause === undefined ? null : String(raw.cause) };
    default:
      return { ...base, type: 'CallGone' };
  }
}

/** A call in the gate: the first event of the call, the one the caller waits on. */
function gateEntered(raw: Raw, at: Date, onDrop: DropReporter): PbxEvent | null {
  const ch = asChannel(raw.channel);
  if (!ch) {
    onDrop('StasisStart without a usable channel', null);
    return null;
  }
  const { facts, problem } = gateFacts(ch, Array.isArray(raw.args) ? raw.args : []);
  return { type: 'GateEntered', callId: ch.id, at, facts, problem, swept: false };
}

function playbackFinished(raw: Raw, at: Date, onDrop: DropReporter): PbxEvent | null {
  const pb = isObj(raw.playback) ? raw.playback : null;
  const target = str(pb?.target_uri);
  const id = str(pb?.id);
  if (!pb || !id || !target?.startsWith('channel:')) {
    onDrop('PlaybackFinished without a playback id or channel target', null);
    return null;
  }
  return { type: 'PromptFinished', callId: target.slice('channel:'.length), at, promptId: id };
}

/**
 * A blind transfer sent the recorded channel (the transferee) to an extension: the number the
 * agent dialed, known before a peer answers it (verified on Asterisk 22). The session names the
 * party answering there by it; nobody is announced to until someone answers.
 */
function blindTransfer(raw: Raw, at: Date): PbxEvent | null {
  const transferee = asChannel(raw.transferee);
  const exten = presentNumber(str(raw.exten));
  if (!transferee || !exten || raw.result !== 'Success') return null;
  const party = `${exten}@${str(raw.context) ?? ''}`;
  return { type: 'PartyChanged', callId: transferee.id, at, kind: 'transferring', party, agent: exten };
}

function dial(raw: Raw, at: Date): PbxEvent | null {
  const caller = asChannel(raw.caller);
  const peer = asChannel(raw.peer);
  if (!caller || !peer || raw.dialstatus !== 'ANSWER') return null;
  return {
    type: 'PartyChanged',
    callId: caller.id,
    at,
    kind: 'answered',
    party: peer.name,
    agent: answeringAgent(caller, peer.name),
  };
}

/**
 * Who answered: the connected line a phone sends with its answer (on the caller's channel), else
 * the endpoint of the answering channel. A connected line equal to the caller's own number is
 * app_dial's copy of the peer's caller id, which for a phone leg is our caller again.
 */
export function answeringAgent(caller: AriChannel, peerName: string): string | null {
  const connected = presentNumber(caller.connected?.number);
  return connected && connected !== presentNumber(caller.caller?.number) ? connected : endpointOf(peerName);
}

/**
 * Who a transfer reached: a peer channel named by its number (PJSIP/305-...), else the connected
 * line (a trunk's, PJSIP/carrier-..., is the number it dialed), else the peer's endpoint. The
 * number first: the connected line may still be the previous agent's when the peer changes.
 */
export function transferredTo(caller: AriChannel, peerName: string): string | null {
  const endpoint = endpointOf(peerName);
  return isNumber(endpoint) ? endpoint : answeringAgent(caller, peerName);
}

/** `PJSIP/201-0000001a` -> `201`, `Local/201@from-queue-0000002b;1` -> `201`. */
export function endpointOf(channelName: string): string | null {
  const slash = channelName.indexOf('/');
  if (slash < 0) return null;
  const rest = channelName
    .slice(slash + 1)
    .replace(/;\d+$/, '')
    .replace(/-[0-9a-f]{8}$/, '');
  return presentNumber(rest.split('@')[0]);
}

function varset(raw: Raw, ch: AriChannel, base: { callId: string; at: Date }): PbxEvent | null {
  const value = str(raw.value) ?? '';
  switch (raw.variable) {
    case VAR.MIXMONITOR_FILENAME:
      return value ? { ...base, type: 'RecordingStarted', file: value, recorderId: null } : null;
    case VAR.MIXMON_ID:
      return value ? { ...base, type: 'RecordingStarted', file: null, recorderId: value } : null;
    // The bridged peer changing mid-call is how a transfer shows on the recorded channel.
    case 'BRIDGEPEER':
      return value
        ? { ...base, type: 'PartyChanged', kind: 'transfer', party: value, agent: transferredTo(ch, value) }
        : null;
    default:
      return null;
  }
}

function userEvent(raw: Raw, base: { callId: string; at: Date }, onDrop: DropReporter): PbxEvent | null {
  if (raw.eventname !== FEATURE_USER_EVENT) return null;
  const body = isObj(raw.userevent) ? raw.userevent : {};
  const action = str(body.action)?.trim() ?? '';
  if (!isFeatureAction(action)) {
    onDrop(`${FEATURE_USER_EVENT} with unknown action ${JSON.stringify(body.action)}`, base.callId);
    return null;
  }
  return { ...base, type: 'FeatureRequested', action, by: str(body.channel) ?? `feature:${base.callId}` };
}
