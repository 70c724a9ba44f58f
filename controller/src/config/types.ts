import type { Fallback, PauseMode, PbxKind } from '../domain/vocabulary';

/** false, a number of proxy hops, or a comma-separated list of proxy addresses/subnets. */
export type TrustProxy = false | number | string;
export type StoredFormat = 'wav' | 'opus' | 'mp3';
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface Config {
  configFile: string | null;
  node: string;
  db: { url: string; autoMigrate: boolean; gateTimeoutMs: number };
  journal: { dir: string; maxBytes: number };
  recordingsDir: string;
  pbxRecordingsDir: string;
  http: { host: string; port: number; trustProxy: TrustProxy };
  api: { bodyLimitBytes: number };
  pbx: PbxKind;
  ari: { url: string; user: string; password: string; app: string };
  ami: { host: string; port: number; user: string; secret: string };
  esl: { host: string; port: number; password: string; listenHost: string; listenPort: number; soundsDir: string };
  gate: { deadlineMs: number; dtmfTimeoutMs: number; fallback: Fallback };
  pauseMode: PauseMode;
  defaults: { country: string; language: string };
  retention: { schedule: string; timezone: string; batchSize: number; standardDays: number; extendedYears: number };
  reconcile: { intervalS: number; quietS: number };
  webhooks: { urls: string[]; secret: string; maxAttempts: number; retryBaseMs: number; timeoutMs: number };
  reports: { costPerMinute: number };
  encryption: { keyFile: string; masterKey: string; workers: number };
  transcode: { standard: StoredFormat; extended: StoredFormat; ffmpeg: string };
  log: { level: LogLevel; format: 'auto' | 'json' | 'pretty' };
}
