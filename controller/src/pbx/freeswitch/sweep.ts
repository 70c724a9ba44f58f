// At every (re)connect, as Asterisk's sweep.ts: channels that are recording are reported for
// adoption (with the row id the gate left on the channel), then the list of live calls, so the
// registry settles calls that ended meanwhile. Nothing waits in a gate here: the outbound socket let
// go of its call when the controller died.
// `show channels as json` gives {"row_count":N,"rows":[{"uuid":...}]} ({"row_count":0} when idle);
// `uuid_buglist <uuid>` lists media bugs as XML, record_session's being function session_record
// (switch_core_media_bug.c). Neither was captured in the fixtures: parsed defensively.
import type { PbxEvent } from '../../domain/pbx-events';
import type { Logger } from '../../util/logger';
import { isBeepTone } from './beep';
import { VAR } from './dialplan-vars';
import type { EslApi } from './esl/session';

export interface ChannelRow {
  uuid: string;
  name: string | null;
}

export function parseChannels(body: string): ChannelRow[] | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return null;
  }
  if (!parsed || typeof parsed !== 'object') return null;
  const rows = (parsed as { rows?: unknown }).rows;
  if (rows === undefined) return (parsed as { row_count?: unknown }).row_count === 0 ? [] : null;
  if (!Array.isArray(rows)) return null;
  return rows.flatMap((r: unknown) => {
    const row = r as { uuid?: unknown; name?: unknown } | null;
    return typeof row?.uuid === 'string' && row.uuid !== ''
      ? [{ uuid: row.uuid, name: typeof row.name === 'string' ? row.name : null }]
      : [];
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

/**
 * The recorder's handle is the file path (uuid_record needs it): recorderId is the file.
 * `beeping` hears of callrec's beep tones found displaced on a recording channel (beep.ts), so
 * the adapter stops them with the recorder it adopts.
 */
export async function sweepChannels(
  api: EslApi,
  logger: Logger,
  beeping: (uuid: string, tones: string[]) => void = () => undefined,
): Promise<PbxEvent[]> {
  const askedAt = performance.now();
  const list = await api('show channels as json');
  const channels = list.ok ? parseChannels(list.value) : null;
  if (!channels) {
    logger.warn(
      `sweep after connect failed: show channels: ${list.ok ? `unreadable answer ${JSON.stringify(list.value.slice(0, 80))}` : list.error.detail}`,
    );
    return [];
  }
  const at = new Date();
  const out: PbxEvent[] = [];
  for (const ch of channels) {
    const bugs = await api(`uuid_buglist ${ch.uuid}`);
    if (!bugs.ok) continue;
    const files = parseRecordingBugs(bugs.value);
    if (files.length === 0) continue;
    const stored = await api(`uuid_getvar ${ch.uuid} ${VAR.CALL_ID}`);
    const storedCallId = stored.ok ? parseStoredId(stored.value) : null;
    const tones = parseBugs(bugs.value, 'displace').filter(isBeepTone);
    if (tones.length > 0) beeping(ch.uuid, tones);
    for (const file of files)
      out.push({
        type: 'RecordingFound',
        callId: ch.uuid,
        at,
        file,
        recorderId: file,
        storedCallId,
        channelName: ch.name,
      });
  }
  if (out.length > 0) logger.info(`found ${out.length} recording(s) in progress on ${channels.length} call(s)`);
  out.push({ type: 'LiveCallsListed', callId: '', at, callIds: channels.map((c) => c.uuid), askedAt });
  return out;
}

/** uuid_getvar answers the value, or `_undef_` when the variable is not set. */
export function parseStoredId(body: string): number | null {
  const v = body.trim();
  return /^[1-9]\d{0,15}$/.test(v) ? Number(v) : null;
}
