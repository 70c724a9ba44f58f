// ESL event (JSON headers as FreeSWITCH 1.10.12 sends them) -> normalized PbxEvent. Wire names
// stay here. Unknown or malformed shapes are reported through onDrop and give null; events we
// subscribe to but do not need (BACKGROUND_JOB, CHANNEL_EXECUTE_COMPLETE added by modesl) give
// null quietly.
import { presentNumber, type GateFacts, type PbxEvent } from '../../domain/pbx-events';
import { isFeatureAction } from '../../domain/vocabulary';
import type { DropReporter } from '../port';
import { FEATURE_HEADER, FEATURE_SUBCLASS, VAR } from './dialplan-vars';

export type RawEvent = Readonly<Record<string, string>>;

const IGNORED = new Set([
  'BACKGROUND_JOB',
  'CHANNEL_EXECUTE_COMPLETE',
  'CHANNEL_EXECUTE',
  'CHANNEL_CREATE',
  'CHANNEL_PARK',
  'CHANNEL_UNPARK',
  'CHANNEL_HANGUP_COMPLETE',
  'PLAYBACK_START',
  'PLAYBACK_STOP',
  'CHANNEL_PROGRESS_MEDIA',
  'HEARTBEAT',
  'RE_SCHEDULE',
]);

/** Event-Date-Timestamp is microseconds since the epoch. */
export function eventTime(raw: RawEvent): Date {
  const us = Number(raw['Event-Date-Timestamp']);
  return Number.isFinite(us) && us > 0 ? new Date(Math.floor(us / 1000)) : new Date();
}

export function toPbxEvent(raw: RawEvent, onDrop: DropReporter = () => undefined): PbxEvent | null {
  const name = raw['Event-Name'];
  const callId = raw['Unique-ID'] ?? null;
  if (!name) {
    onDrop('event without Event-Name', callId);
    return null;
  }
  if (IGNORED.has(name)) return null;
  if (!callId) {
    onDrop(`${name} without Unique-ID`, null);
    return null;
  }
  const base = { callId, at: eventTime(raw) };
  switch (name) {
    case 'CHANNEL_ANSWER':
      return { ...base, type: 'CallAnswered' };
    case 'CHANNEL_BRIDGE':
      return { ...base, type: 'PartyChanged', kind: 'answered', ...otherLeg(raw) };
    case 'CHANNEL_UNBRIDGE':
      return { ...base, type: 'PartyChanged', kind: 'left', ...otherLeg(raw) };
    case 'CHANNEL_HANGUP':
      return { ...base, type: 'CallHungUp', cause: raw['Hangup-Cause'] ?? null };
    case 'CHANNEL_DESTROY':
      return { ...base, type: 'CallGone' };
    case 'DTMF': {
      const digit = raw['DTMF-Digit'];
      if (!digit || !/^[0-9*#A-D]$/.test(digit)) {
        onDrop(`DTMF with digit ${JSON.stringify(digit ?? null)}`, callId);
        return null;
      }
      return { ...base, type: 'DtmfReceived', digit };
    }
    // The path is the recorder's handle: uuid_record stop/mask/pause all need it.
    case 'RECORD_START': {
      const file = raw['Record-File-Path'];
      if (!file) {
        onDrop('RECORD_START without Record-File-Path', callId);
        return null;
      }
      return { ...base, type: 'RecordingStarted', file, recorderId: file };
    }
    case 'RECORD_STOP':
      return { ...base, type: 'RecordingStopped', file: raw['Record-File-Path'] ?? null };
    case 'CUSTOM':
      return feature(raw, base, onDrop);
    default:
      onDrop(`unexpected event ${name}`, callId);
      return null;
  }
}

/**
 * The bridged leg: its channel, and the callee it was dialed to (`user/202@domain` -> `202`).
 * Its Caller-ID is our caller's, passed on to the phone (1.10.12 fixture), never the agent.
 */
function otherLeg(raw: RawEvent): { party: string | null; agent: string | null } {
  const dest = raw['Other-Leg-Destination-Number'] ?? '';
  return {
    party: raw['Other-Leg-Channel-Name'] ?? raw['Other-Leg-Unique-ID'] ?? null,
    agent: presentNumber(dest.split('/').pop()?.split('@')[0]),
  };
}

function feature(raw: RawEvent, base: { callId: string; at: Date }, onDrop: DropReporter): PbxEvent | null {
  if (raw['Event-Subclass'] !== FEATURE_SUBCLASS) {
    onDrop(`unexpected CUSTOM ${raw['Event-Subclass'] ?? '(no subclass)'}`, base.callId);
    return null;
  }
  const action = raw[FEATURE_HEADER] ?? raw[`variable_${FEATURE_HEADER}`] ?? '';
  if (!isFeatureAction(action)) {
    onDrop(`feature code with action ${JSON.stringify(action)}`, base.callId);
    return null;
  }
  return { ...base, type: 'FeatureRequested', action, by: raw['Caller-Caller-ID-Number'] ?? null };
}

/** What a RECORD_STOP says about the file once FreeSWITCH closed it (never read it earlier). */
export function recordStopFacts(raw: RawEvent): {
  file: string | null;
  ms: number | null;
  bytes: number | null;
  cause: string | null;
} {
  const num = (v: string | undefined): number | null => (v !== undefined && /^\d+$/.test(v) ? Number(v) : null);
  return {
    file: raw['Record-File-Path'] ?? null,
    ms: num(raw.variable_record_ms),
    bytes: num(raw.record_file_size ?? raw.variable_record_file_size),
    cause: raw['Record-Completion-Cause'] ?? null,
  };
}

export interface GateDefaults {
  language: string | null;
}

/**
 * The caller profile's destination is the number the call came in on: execute_extension hunts
 * callrec_gate with a copy (${destination_number} reads "callrec_gate" there) but CHANNEL_DATA
 * carries the channel's own profile (measured on 1.10.12). The gate's own names are not numbers.
 */
function dialed(v: string | undefined): string | null {
  const n = presentNumber(v);
  return n === null || n.startsWith('callrec_') ? null : n;
}

/** CHANNEL_DATA of an outbound-socket connection -> the facts the policy decides on. */
export function gateFacts(data: RawEvent, defaults: GateDefaults): { facts: GateFacts; problem: string | null } {
  const v = (name: string): string | null => {
    const value = data[`variable_${name}`];
    return value === undefined || value === '' ? null : value;
  };
  const flow = v(VAR.FLOW);
  const applet = v(VAR.APPLET);
  const dir = v(VAR.DIRECTION);
  const direction = dir === 'outbound' || dir === 'internal' ? dir : 'inbound';
  const problem =
    !flow || !applet
      ? `the channel has no ${!flow ? VAR.FLOW : VAR.APPLET} (is the applet snippet in the dialplan?)`
      : dir !== null && dir !== direction
        ? `${VAR.DIRECTION} is ${JSON.stringify(dir)} (inbound, outbound or internal)`
        : null;
  return {
    problem,
    facts: {
      flow: flow ?? '',
      applet: applet ?? '',
      direction,
      from: presentNumber(data['Caller-Caller-ID-Number'] ?? data['Channel-Caller-ID-Number']),
      to: presentNumber(v(VAR.TO)) ?? dialed(data['Caller-Destination-Number'] ?? data['Channel-Destination-Number']),
      campaign: v(VAR.CAMPAIGN),
      agent: v(VAR.AGENT),
      language: v(VAR.LANGUAGE) ?? v('default_language') ?? defaults.language,
      answered: data['Answer-State'] === 'answered',
    },
  };
}
