// At (re)connect: which calls the switch has and which of them are being recorded, so the registry
// can adopt recordings that started while callrec was down or restarting.
// `show channels as json` gives {"row_count":N,"rows":[{"uuid":...}]} ({"row_count":0} when idle);
// `uuid_buglist <uuid>` lists media bugs as XML, record_session's being function session_record
// (switch_core_media_bug.c). Neither was captured in the fixtures: parsed defensively.
import type { Result } from '../../util/result';
import { isBeepTone } from './beep';
import type { EslFailure } from './esl/session';
import { VAR } from './vars';

export interface ChannelRow { uuid: string; name: string | null }
export interface FoundRecording {
  uuid: string; file: string; channelName: string | null; storedCallId: number | null;
  /** callrec's beep tones displaced on the channel (beep.ts), to stop with the recorder. */
  beepTones: string[];
}

export function parseChannels(body: string): ChannelRow[] | null {
  let parsed: unknown;
  try { parsed = JSON.parse(body); } catch { return null; }
  if (!parsed || typeof parsed !== 'object') return null;
  const rows = (parsed as { rows?: unknown }).rows;
  if (rows === undefined) return (parsed as { row_count?: unknown }).row_count === 0 ? [] : null;
  if (!Array.isArray(rows)) return null;
  return rows.flatMap((r: unknown) => {
    const row = r as { uuid?: unknown; name?: unknown } | null;
    return typeof row?.uuid === 'string' && row.uuid !== '' ? [{ uuid: row.uuid, name: typeof row.name === 'string' ? row.name : null }] : [];
  });
}

/** The targets of the media bugs of one function (record_session's: session_record; a displace's: displace). */
export function parseBugs(xml: string, fn: 'session_record' | 'displace'): string[] {
  const targets: string[] = [];
  for (const bug of xml.split('<media-bug>').slice(1)) {
    const f = /<function>([^<]*)<\/function>/.exec(bug)?.[1];
    const target = /<target>([^<]*)<\/target>/.exec(bug)?.[1];
    if (f === fn && target) targets.push(target);
  }
  return targets;
}

export const parseRecordingBugs = (xml: string): string[] => parseBugs(xml, 'session_record');

export type Api = (command: string) => Promise<Result<string, EslFailure>>;

export async function findRecordings(api: Api): Promise<{ channels: ChannelRow[]; recordings: FoundRecording[] } | string> {
  const list = await api('show channels as json');
  if (!list.ok) return `show channels: ${list.error.detail}`;
  const channels = parseChannels(list.value);
  if (!channels) return `show channels: unreadable answer ${JSON.stringify(list.value.slice(0, 80))}`;
  const recordings: FoundRecording[] = [];
  for (const ch of channels) {
    const bugs = await api(`uuid_buglist ${ch.uuid}`);
    if (!bugs.ok) continue;
    const files = parseRecordingBugs(bugs.value);
    if (files.length === 0) continue;
    // The controller that gated the call left its row id on the channel (callrec_call_id).
    const stored = await api(`uuid_getvar ${ch.uuid} ${VAR.CALL_ID}`);
    const storedCallId = stored.ok ? parseStoredId(stored.value) : null;
    const tones = parseBugs(bugs.value, 'displace').filter(isBeepTone);
    for (const file of files) recordings.push({ uuid: ch.uuid, file, channelName: ch.name, storedCallId, beepTones: tones });
  }
  return { channels, recordings };
}

/** uuid_getvar answers the value, or `_undef_` when the variable is not set. */
export function parseStoredId(body: string): number | null {
  const v = body.trim();
  return /^[1-9]\d{0,15}$/.test(v) ? Number(v) : null;
}
