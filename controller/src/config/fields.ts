// Every setting callrec reads: its place in callrec.yaml, its environment variable, how it is
// parsed and what it defaults to. The loader and the README's table both come from this list.
import net from 'node:net';
import os from 'node:os';
import { FALLBACKS, PAUSE_MODES, PBX_KINDS } from '../domain/vocabulary';
import type { TrustProxy } from './types';

export type Parse<T> = (raw: unknown) => { ok: true; value: T } | { ok: false; allowed: string };

export interface Field<T> {
  path: string;          // dotted key in callrec.yaml
  env: string;           // environment override
  parse: Parse<T>;
  default: T;
  secret?: boolean;      // never logged, never printed
  doc: string;
}

const str = (allowed = 'a non-empty string'): Parse<string> => (raw) =>
  typeof raw === 'string' && raw.trim() !== '' ? { ok: true, value: raw.trim() }
    : typeof raw === 'number' ? { ok: true, value: String(raw) } : { ok: false, allowed };

const anyStr: Parse<string> = (raw) =>
  raw === null || raw === undefined ? { ok: true, value: '' }
    : typeof raw === 'string' || typeof raw === 'number' ? { ok: true, value: String(raw) }
      : { ok: false, allowed: 'a string' };

export const int = (min: number, max: number): Parse<number> => (raw) => {
  const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
  const n = /^-?\d+$/.test(text) ? Number(text) : NaN;
  return Number.isSafeInteger(n) && n >= min && n <= max
    ? { ok: true, value: n } : { ok: false, allowed: `an integer from ${min} to ${max}` };
};

export const oneOf = <T extends string>(...values: readonly T[]): Parse<T> => (raw) =>
  typeof raw === 'string' && (values as readonly string[]).includes(raw.trim())
    ? { ok: true, value: raw.trim() as T } : { ok: false, allowed: `one of ${values.join(', ')}` };

const bool: Parse<boolean> = (raw) => {
  if (typeof raw === 'boolean') return { ok: true, value: raw };
  const t = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
  if (['1', 'true', 'yes', 'on'].includes(t)) return { ok: true, value: true };
  if (['0', 'false', 'no', 'off'].includes(t)) return { ok: true, value: false };
  return { ok: false, allowed: 'true or false' };
};

// The driver decodes these parts when it connects: a bare "%" would fail there ("URI malformed").
const percentEncoded = (...parts: string[]): boolean => {
  try { for (const p of parts) decodeURIComponent(p); return true; } catch { return false; }
};

const dbUrl: Parse<string> = (raw) => {
  const allowed = 'mysql://user:pass@host:3306/db or sqlite:<path> (sqlite::memory: for tests)';
  if (typeof raw !== 'string') return { ok: false, allowed };
  const v = raw.trim();
  if (v.startsWith('sqlite:') && v.length > 'sqlite:'.length) return { ok: true, value: v };
  if (/^mysql:\/\//.test(v)) {
    try {
      const u = new URL(v);
      if (!percentEncoded(u.username, u.password, u.pathname)) {
        return { ok: false, allowed: 'a URL whose user, password and database are percent-encoded (write a "%" in the password as %25)' };
      }
      if (u.hostname && u.pathname.length > 1) return { ok: true, value: v };
    } catch { /* falls through to the error */ }
  }
  return { ok: false, allowed };
};

const httpUrl: Parse<string> = (raw) => {
  const allowed = 'an http:// or https:// URL such as http://127.0.0.1:8088';
  if (typeof raw !== 'string') return { ok: false, allowed };
  try {
    const u = new URL(raw.trim());
    return u.protocol === 'http:' || u.protocol === 'https:'
      ? { ok: true, value: raw.trim().replace(/\/+$/, '') } : { ok: false, allowed };
  } catch {
    return { ok: false, allowed };
  }
};

const timezone: Parse<string> = (raw) => {
  const allowed = 'an IANA time zone such as Europe/London, or "local"';
  if (typeof raw !== 'string' || raw.trim() === '') return { ok: false, allowed };
  const v = raw.trim();
  if (v === 'local') return { ok: true, value: v };
  try {
    new Intl.DateTimeFormat('en', { timeZone: v });
    return { ok: true, value: v };
  } catch {
    return { ok: false, allowed };
  }
};

const cron: Parse<string> = (raw) => {
  const allowed = 'a cron expression with 5 or 6 fields, such as "0 3 * * *"';
  if (typeof raw !== 'string') return { ok: false, allowed };
  const parts = raw.trim().split(/\s+/);
  return (parts.length === 5 || parts.length === 6) && parts.every((p) => /^[\d*,/\-A-Za-z?]+$/.test(p))
    ? { ok: true, value: parts.join(' ') } : { ok: false, allowed };
};

const country: Parse<string> = (raw) =>
  typeof raw === 'string' && /^[A-Za-z]{2}$/.test(raw.trim())
    ? { ok: true, value: raw.trim().toUpperCase() } : { ok: false, allowed: 'a two-letter ISO country code such as US or GB' };

const urlList: Parse<string[]> = (raw) => {
  const allowed = 'a comma-separated list of http:// or https:// URLs';
  const items = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : null;
  if (!items) return { ok: false, allowed };
  const out: string[] = [];
  for (const item of items) {
    if (typeof item !== 'string') return { ok: false, allowed };
    if (item.trim() === '') continue;
    const one = httpUrl(item);
    if (!one.ok) return { ok: false, allowed };
    out.push(item.trim());
  }
  return { ok: true, value: out };
};

const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];
const trustProxy: Parse<TrustProxy> = (raw) => {
  const allowed = 'false, a number of proxy hops (1-10), or comma-separated proxy addresses/subnets (loopback, 10.0.0.0/8, ...)';
  const text = typeof raw === 'boolean' || typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
  if (['false', 'off', 'no', '0'].includes(text.toLowerCase())) return { ok: true, value: false };
  if (/^\d+$/.test(text)) return Number(text) <= 10 ? { ok: true, value: Number(text) } : { ok: false, allowed };
  const items = text.split(',').map((i) => i.trim()).filter(Boolean);
  const valid = (i: string) => {
    const [addr = '', bits, ...rest] = i.split('/');
    return PROXY_NAMES.includes(i) || (net.isIP(addr) !== 0 && rest.length === 0 && (bits === undefined || /^\d{1,3}$/.test(bits)));
  };
  return items.length > 0 && items.every(valid) ? { ok: true, value: items.join(',') } : { ok: false, allowed };
};

const decimal = (min: number, max: number): Parse<number> => (raw) => {
  const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
  const n = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
  return Number.isFinite(n) && n >= min && n <= max ? { ok: true, value: n } : { ok: false, allowed: `a number from ${min} to ${max}` };
};

const f = <T>(path: string, env: string, parse: Parse<T>, def: T, doc: string, secret = false): Field<T> =>
  ({ path, env, parse, default: def, doc, secret });

export const FIELDS = [
  f('node', 'CALLREC_NODE', str(), os.hostname(), 'Name of this controller/PBX box; calls are unique per node'),
  f('db.url', 'CALLREC_DB_URL', dbUrl, 'sqlite:./data/callrec.sqlite3', 'Database: mysql://user:pass@host:3306/db, or the embedded sqlite:<path>', true),
  f('db.autoMigrate', 'CALLREC_DB_AUTO_MIGRATE', bool, true, 'Apply pending migrations at start'),
  f('db.gateTimeoutMs', 'CALLREC_DB_GATE_TIMEOUT_MS', int(50, 10000), 300, 'Longest the gate waits for the database to store a call step; past it the step goes to the local journal'),
  f('journal.dir', 'CALLREC_JOURNAL_DIR', str(), './data/journal', 'Local journal of call writes the database could not take in time (replayed in order when it answers)'),
  f('journal.maxBytes', 'CALLREC_JOURNAL_MAX_BYTES', int(65536, 10737418240), 67108864, 'Largest the local journal may grow; a full journal loses writes (logged, callrec_journal_full_total)'),
  f('recordingsDir', 'CALLREC_RECORDINGS_DIR', str(), './data/recordings', 'Directory the PBX writes recordings to, as callrec sees it'),
  f('pbxRecordingsDir', 'CALLREC_PBX_RECORDINGS_DIR', anyStr, '', 'The same directory as the PBX sees it (default: same path)'),
  f('http.host', 'CALLREC_HTTP_HOST', str(), '127.0.0.1', 'Address the HTTP API and dashboard listen on'),
  f('http.port', 'CALLREC_HTTP_PORT', int(1, 65535), 8080, 'Port of the HTTP API and dashboard'),
  f('http.trustProxy', 'CALLREC_TRUST_PROXY', trustProxy, false as TrustProxy, 'Proxies whose X-Forwarded-For names the client (false: use the peer address): hop count or addresses'),
  f('pbx', 'CALLREC_PBX', oneOf(...PBX_KINDS), 'asterisk', 'Which PBX this controller drives'),
  f('ari.url', 'CALLREC_ARI_URL', httpUrl, 'http://127.0.0.1:8088', 'Asterisk HTTP base URL (ARI lives under /ari)'),
  f('ari.user', 'CALLREC_ARI_USER', str(), 'callrec', 'ARI user (ari.conf)'),
  f('ari.password', 'CALLREC_ARI_PASSWORD', anyStr, '', 'ARI password', true),
  f('ari.app', 'CALLREC_ARI_APP', str(), 'callrec', 'Stasis application name used by the gate'),
  f('ami.host', 'CALLREC_AMI_HOST', str(), '127.0.0.1', 'Asterisk manager (AMI) host'),
  f('ami.port', 'CALLREC_AMI_PORT', int(1, 65535), 5038, 'AMI port'),
  f('ami.user', 'CALLREC_AMI_USER', str(), 'callrec', 'AMI user (manager.conf)'),
  f('ami.secret', 'CALLREC_AMI_SECRET', anyStr, '', 'AMI secret', true),
  f('esl.host', 'CALLREC_ESL_HOST', str(), '127.0.0.1', 'FreeSWITCH event socket host'),
  f('esl.port', 'CALLREC_ESL_PORT', int(1, 65535), 8021, 'FreeSWITCH event socket port'),
  f('esl.password', 'CALLREC_ESL_PASSWORD', anyStr, '', 'FreeSWITCH event socket password: the one in event_socket.conf.xml (no default; the stock file ships ClueCon)', true),
  f('esl.listenHost', 'CALLREC_ESL_LISTEN_HOST', str(), '127.0.0.1', 'Address of the outbound-socket gate FreeSWITCH connects to'),
  f('esl.listenPort', 'CALLREC_ESL_LISTEN_PORT', int(1, 65535), 8084, 'Port of the outbound-socket gate'),
  f('esl.soundsDir', 'CALLREC_ESL_SOUNDS_DIR', str(), '/usr/local/freeswitch/sounds', 'FreeSWITCH sounds directory holding <lang>/callrec/*.wav'),
  f('gate.deadlineMs', 'CALLREC_GATE_DEADLINE_MS', int(1000, 120000), 10000, 'Longest a call may wait in the gate after its prompt'),
  f('gate.dtmfTimeoutMs', 'CALLREC_GATE_DTMF_TIMEOUT_MS', int(1000, 60000), 5000, 'How long the gate waits for a key after an opt-in/opt-out prompt'),
  f('gate.fallback', 'CALLREC_FALLBACK', oneOf(...FALLBACKS), 'announce-and-record', 'What a call gets when the gate fails or times out'),
  f('pauseMode', 'CALLREC_PAUSE_MODE', oneOf(...PAUSE_MODES), 'silence', 'Pause writes silence (timeline kept) or skips (file shorter)'),
  f('defaults.country', 'CALLREC_DEFAULT_COUNTRY', country, 'US', 'Country used to read national-format numbers'),
  f('defaults.language', 'CALLREC_DEFAULT_LANGUAGE', str(), 'en', 'Language of prompts when the call does not say'),
  f('retention.schedule', 'CALLREC_RETENTION_SCHEDULE', cron, '0 3 * * *', 'When the nightly purge runs (cron)'),
  f('retention.timezone', 'CALLREC_RETENTION_TIMEZONE', timezone, 'local', 'Time zone of the purge schedule'),
  f('retention.batchSize', 'CALLREC_RETENTION_BATCH', int(1, 100000), 100, 'Recordings purged per batch (smaller batches keep concurrent inserts fast; see Retention)'),
  f('retention.standardDays', 'CALLREC_RETENTION_STANDARD_DAYS', int(1, 36500), 180, 'Length of the standard tier in days'),
  f('retention.extendedYears', 'CALLREC_RETENTION_EXTENDED_YEARS', int(1, 100), 7, 'Length of the extended tier in calendar years'),
  f('reconcile.intervalS', 'CALLREC_RECONCILE_INTERVAL_S', int(0, 86400), 300, 'How often the recordings directory is reconciled with the store, in seconds (0: only at start)'),
  f('reconcile.quietS', 'CALLREC_RECONCILE_QUIET_S', int(1, 3600), 20, 'A file changed more recently than this is taken as still being written and left for the next pass'),
  f('api.bodyLimitBytes', 'CALLREC_API_BODY_LIMIT', int(1024, 10485760), 102400, 'Largest JSON request body the API accepts, in bytes (413 above)'),
  f('webhooks.urls', 'CALLREC_WEBHOOK_URLS', urlList, [] as string[], 'Comma-separated URLs that receive recording.completed/failed/purged'),
  f('webhooks.secret', 'CALLREC_WEBHOOK_SECRET', anyStr, '', 'HMAC-SHA256 key signing each webhook body (X-Callrec-Signature)', true),
  f('webhooks.maxAttempts', 'CALLREC_WEBHOOK_MAX_ATTEMPTS', int(1, 50), 10, 'Attempts per delivery before it is marked failed'),
  f('webhooks.retryBaseMs', 'CALLREC_WEBHOOK_RETRY_BASE_MS', int(10, 3600000), 2000, 'First retry delay; doubles per attempt (capped at 1 hour)'),
  f('webhooks.timeoutMs', 'CALLREC_WEBHOOK_TIMEOUT_MS', int(100, 120000), 10000, 'Time a receiver has to answer one POST'),
  f('reports.costPerMinute', 'CALLREC_COST_PER_MINUTE', decimal(0, 1000), 0, 'Storage cost per recorded minute shown in the usage report'),
  f('encryption.keyFile', 'CALLREC_MASTER_KEY_FILE', anyStr, '', 'File of master keys (base64, one per line, the first encrypts); encryption at rest is on when a master key is set'),
  f('encryption.masterKey', 'CALLREC_MASTER_KEY', anyStr, '', 'Master keys as comma-separated base64 (instead of a key file; the first encrypts)', true),
  f('encryption.workers', 'CALLREC_ENCRYPTION_WORKERS', int(1, 16), 2, 'Recordings encrypted at the same time, off the call path'),
  f('transcode.standard', 'CALLREC_TRANSCODE_STANDARD', oneOf('wav', 'opus', 'mp3'), 'wav', 'Stored format of standard-tier recordings (opus/mp3 need ffmpeg; without it they stay WAV)'),
  f('transcode.extended', 'CALLREC_TRANSCODE_EXTENDED', oneOf('wav', 'opus', 'mp3'), 'wav', 'Stored format of extended-tier recordings'),
  f('transcode.ffmpeg', 'CALLREC_FFMPEG', str(), 'ffmpeg', 'The ffmpeg binary used to transcode'),
  f('log.level', 'CALLREC_LOG_LEVEL', oneOf('error', 'warn', 'info', 'debug'), 'info', 'Log level'),
  f('log.format', 'CALLREC_LOG_FORMAT', oneOf('auto', 'json', 'pretty'), 'auto', 'json lines, readable text, or auto (pretty on a terminal)'),
] as const;
