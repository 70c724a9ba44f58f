// API keys: `crk_<prefix>_<secret>`. The prefix is the lookup key (shown in lists, logged); only a
// SHA-256 of the whole key is stored. A key carries 256 random bits, so a fast hash is enough: a
// slow KDF protects guessable passwords, not random tokens.
import crypto from 'node:crypto';

export const ROLES = ['admin', 'supervisor', 'agent'] as const;
export type Role = (typeof ROLES)[number];

export interface ApiKeyRecord {
  id: number;
  name: string;
  prefix: string;
  role: Role;
  agent: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const KEY_RE = /^crk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

export function generateApiKey(): { key: string; prefix: string; hash: string } {
  const prefix = crypto.randomBytes(6).toString('hex');
  const key = `crk_${prefix}_${crypto.randomBytes(32).toString('base64url')}`;
  return { key, prefix, hash: hashApiKey(key) };
}

export const hashApiKey = (key: string): string => crypto.createHash('sha256').update(key).digest('hex');

/** The prefix of a well-formed key, or null (malformed keys never reach the database). */
export function apiKeyPrefix(key: string): string | null {
  return KEY_RE.exec(key)?.[1] ?? null;
}

export function apiKeyMatches(key: string, storedHash: string): boolean {
  const a = Buffer.from(hashApiKey(key), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

/** How the audit trail names the holder of a key: its name for people, its id to be exact. */
export const actorOf = (k: Pick<ApiKeyRecord, 'id' | 'name' | 'role'>): string => `${k.name} (${k.role}, key ${k.id})`;
