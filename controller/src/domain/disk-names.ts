// What a recording's file name says. Both PBXes' dialplan fallbacks and the controller itself
// (calls/paths.ts) name files <YYYYMMDDhhmmss>-<from>-<to>-<unique id>.wav: the start (UTC on
// Asterisk and in callrec, the box's local time in FreeSWITCH's strftime), caller, dialed number,
// and the PBX's call id (Asterisk UNIQUEID "1763900000.42", FreeSWITCH uuid, which has dashes). Pure.

export interface NameFacts {
  startedAt: Date;
  from: string | null;
  to: string | null;
  callId: string;
}

const AUDIO_EXT = /\.(wav|wav49|gsm|sln|sln16|mp3|ogg|flac)$/i;
const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
// from and to are cleaned to [0-9A-Za-z+._] by Asterisk and callrec; FreeSWITCH's caller_id_number
// is not, so `from` takes what is left before the last two parts.
const FALLBACK = new RegExp(`^(\\d{14})-(.*?)-([^-]*)-(${UUID}|[^-]+)\\.[A-Za-z0-9]+$`);

export function isAudioFile(name: string): boolean {
  return AUDIO_EXT.test(name);
}

/** The facts in a fallback-style name, or null for any other name. */
export function parseRecordingName(name: string): NameFacts | null {
  const m = FALLBACK.exec(name);
  if (!m) return null;
  const [, stamp = '', from = '', to = '', callId = ''] = m;
  const iso = `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(8, 10)}:${stamp.slice(10, 12)}:${stamp.slice(12, 14)}Z`;
  const startedAt = new Date(iso);
  if (Number.isNaN(startedAt.getTime()) || startedAt.toISOString().slice(0, 19) !== iso.slice(0, 19)) return null;
  const part = (s: string) => (s === '' || s === 'unknown' ? null : s.slice(0, 64));
  return { startedAt, from: part(from), to: part(to), callId: callId.slice(0, 128) };
}
