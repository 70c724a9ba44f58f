export type PbxKind = 'asterisk' | 'freeswitch';
export type Fallback = 'announce-and-record' | 'record' | 'skip';
export type PauseMode = 'silence' | 'skip';
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface Config {
  configFile: string | null;
  node: string;
  db: { url: string; autoMigrate: boolean };
  recordingsDir: string;
  pbxRecordingsDir: string;
  http: { host: string; port: number };
  api: { bodyLimitBytes: number };
  pbx: PbxKind;
  ari: { url: string; user: string; password: string; app: string };
  ami: { host: string; port: number; user: string; secret: string };
  esl: { host: string; port: number; password: string; listenHost: string; listenPort: number; soundsDir: string };
  gate: { deadlineMs: number; dtmfTimeoutMs: number; fallback: Fallback };
  pauseMode: PauseMode;
  defaults: { country: string; language: string };
  retention: { schedule: string; timezone: string; batchSize: number; standardDays: number; extendedYears: number };
  webhooks: { urls: string[]; secret: string; maxAttempts: number; retryBaseMs: number; timeoutMs: number };
  reports: { costPerMinute: number };
  log: { level: LogLevel; format: 'auto' | 'json' | 'pretty' };
}
