// Reads callrec.yaml (path from CALLREC_CONFIG, else ./callrec.yaml when present), then applies
// environment overrides. The only module that reads process.env.
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { FIELDS } from './fields';
import type { Config } from './types';
import { redactUrl } from '../util/redact-url';

export { redactUrl };

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function readFile(env: Env): { data: Record<string, unknown>; file: string | null; problems: string[] } {
  const explicit = env.CALLREC_CONFIG;
  const file = explicit ? path.resolve(explicit) : path.resolve('callrec.yaml');
  if (!fs.existsSync(file)) {
    return explicit
      ? { data: {}, file, problems: [`CALLREC_CONFIG: file ${file} does not exist`] }
      : { data: {}, file: null, problems: [] };
  }
  const doc = YAML.parseDocument(fs.readFileSync(file, 'utf8'));
  if (doc.errors.length > 0) {
    return { data: {}, file, problems: doc.errors.map((e) => `${file}: ${e.message.split('\n')[0]}`) };
  }
  const data: unknown = doc.toJS() ?? {};
  if (typeof data !== 'object' || Array.isArray(data) || data === null) {
    return { data: {}, file, problems: [`${file}: must be a mapping of settings`] };
  }
  return { data: data as Record<string, unknown>, file, problems: [] };
}

function lookup(data: Record<string, unknown>, dotted: string): unknown {
  let cur: unknown = data;
  for (const part of dotted.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function unknownKeys(data: Record<string, unknown>, prefix = ''): string[] {
  const known = new Set(FIELDS.map((fl) => fl.path));
  const out: string[] = [];
  for (const [k, v] of Object.entries(data)) {
    const key = prefix ? `${prefix}.${k}` : k;
    const isGroup = [...known].some((p) => p.startsWith(`${key}.`));
    if (isGroup && v !== null && typeof v === 'object' && !Array.isArray(v)) {
      out.push(...unknownKeys(v as Record<string, unknown>, key));
    } else if (!known.has(key)) {
      out.push(key);
    }
  }
  return out;
}

function setPath(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const parts = dotted.split('.');
  let cur = target;
  for (const part of parts.slice(0, -1)) {
    cur[part] = (cur[part] as Record<string, unknown> | undefined) ?? {};
    cur = cur[part] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1] as string] = value;
}

function shown(raw: unknown, secret: boolean): string {
  if (secret) return '';
  return ` (got ${JSON.stringify(raw)})`;
}

/** Builds the configuration or throws ConfigError with one line per bad field. */
export function loadConfig(env: Env = process.env): Config {
  const { data, file, problems } = readFile(env);
  for (const key of unknownKeys(data)) problems.push(`${file}: unknown setting "${key}"`);
  const out: Record<string, unknown> = {};
  for (const field of FIELDS) {
    const fromEnv = env[field.env];
    const fromFile = lookup(data, field.path);
    const raw = fromEnv !== undefined && fromEnv !== '' ? fromEnv : fromFile;
    if (raw === undefined || raw === null) {
      setPath(out, field.path, field.default);
      continue;
    }
    const where = fromEnv !== undefined && fromEnv !== '' ? field.env : `${file}: ${field.path}`;
    const parsed = (field.parse as (r: unknown) => { ok: true; value: unknown } | { ok: false; allowed: string })(raw);
    if (parsed.ok) setPath(out, field.path, parsed.value);
    else problems.push(`${where}: must be ${parsed.allowed}${shown(raw, field.secret === true)}`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const cfg = out as unknown as Config;
  if (!cfg.pbxRecordingsDir) cfg.pbxRecordingsDir = path.resolve(cfg.recordingsDir);
  cfg.recordingsDir = path.resolve(cfg.recordingsDir);
  cfg.configFile = file;
  return cfg;
}

/** The configuration with secrets replaced, for logs and `callrec doctor`. */
export function redactedConfig(cfg: Config): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(cfg)) as Record<string, unknown>;
  for (const field of FIELDS) {
    if (!field.secret) continue;
    const value = lookup(copy, field.path);
    if (typeof value === 'string' && value !== '') {
      setPath(copy, field.path, field.path === 'db.url' ? redactUrl(value) : '***');
    }
  }
  copy.ari = { ...(copy.ari as object), url: redactUrl(cfg.ari.url) };
  copy.webhooks = { ...(copy.webhooks as object), urls: cfg.webhooks.urls.map(redactUrl) };
  return copy;
}
