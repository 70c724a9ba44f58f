// Settings of what callrec does with calls and recordings: the gate, policy defaults, retention,
// reconciling, the API's limits, webhooks, reports, encryption, transcoding and logging.
import { FALLBACKS, PAUSE_MODES } from '../domain/vocabulary';
import { field as f } from './field';
import { anyStr, country, cron, decimal, int, oneOf, str, timezone, urlList } from './parsers';

export const HANDLING_FIELDS = [
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
