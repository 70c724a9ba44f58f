// How each kind of setting is read from callrec.yaml or the environment: one parser per value
// shape, each saying what it allows when the value does not fit.
import net from 'node:net';
import type { TrustProxy } from './types';

export type Parse<T> = (raw: unknown) => { ok: true; value: T } | { ok: false; allowed: string };

export const str =
  (allowed = 'a non-empty string'): Parse<string> =>
  (raw) =>
    typeof raw === 'string' && raw.trim() !== ''
      ? { ok: true, value: raw.trim() }
      : typeof raw === 'number'
        ? { ok: true, value: String(raw) }
        : { ok: false, allowed };

export const anyStr: Parse<string> = (raw) =>
  raw === null || raw === undefined
    ? { ok: true, value: '' }
    : typeof raw === 'string' || typeof raw === 'number'
      ? { ok: true, value: String(raw) }
      : { ok: false, allowed: 'a string' };

export const int =
  (min: number, max: number): Parse<number> =>
  (raw) => {
    const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
    const n = /^-?\d+$/.test(text) ? Number(text) : NaN;
    return Number.isSafeInteger(n) && n >= min && n <= max
      ? { ok: true, value: n }
      : { ok: false, allowed: `an integer from ${min} to ${max}` };
  };

export const oneOf =
  <T extends string>(...values: readonly T[]): Parse<T> =>
  (raw) =>
    typeof raw === 'string' && (values as readonly string[]).includes(raw.trim())
      ? { ok: true, value: raw.trim() as T }
      : { ok: false, allowed: `one of ${values.join(', ')}` };

export const bool: Parse<boolean> = (raw) => {
  if (typeof raw === 'boolean') return { ok: true, value: raw };
  const t = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
  if (['1', 'true', 'yes', 'on'].includes(t)) return { ok: true, value: true };
  if (['0', 'false', 'no', 'off'].includes(t)) return { ok: true, value: false };
  return { ok: false, allowed: 'true or false' };
};

// The driver decodes these parts when it connects: a bare "%" would fail there ("URI malformed").
const percentEncoded = (...parts: string[]): boolean => {
  try {
    for (const p of parts) decodeURIComponent(p);
    return true;
  } catch {
    return false;
  }
};

export const dbUrl: Parse<string> = (raw) => {
  const allowed = 'mysql://user:pass@host:3306/db or sqlite:<path> (sqlite::memory: for tests)';
  if (typeof raw !== 'string') return { ok: false, allowed };
  const v = raw.trim();
  if (v.startsWith('sqlite:') && v.length > 'sqlite:'.length) return { ok: true, value: v };
  if (/^mysql:\/\//.test(v)) {
    try {
      const u = new URL(v);
      if (!percentEncoded(u.username, u.password, u.pathname)) {
        return {
          ok: false,
          allowed: 'a URL whose user, password and database are percent-encoded (write a "%" in the password as %25)',
        };
      }
      if (u.hostname && u.pathname.length > 1) return { ok: true, value: v };
    } catch {
      /* falls through to the error */
    }
  }
  return { ok: false, allowed };
};

export const httpUrl: Parse<string> = (raw) => {
  const allowed = 'an http:// or https:// URL such as http://127.0.0.1:8088';
  if (typeof raw !== 'string') return { ok: false, allowed };
  try {
    const u = new URL(raw.trim());
    return u.protocol === 'http:' || u.protocol === 'https:'
      ? { ok: true, value: raw.trim().replace(/\/+$/, '') }
      : { ok: false, allowed };
  } catch {
    return { ok: false, allowed };
  }
};

export const timezone: Parse<string> = (raw) => {
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

export const cron: Parse<string> = (raw) => {
  const allowed = 'a cron expression with 5 or 6 fields, such as "0 3 * * *"';
  if (typeof raw !== 'string') return { ok: false, allowed };
  const parts = raw.trim().split(/\s+/);
  return (parts.length === 5 || parts.length === 6) && parts.every((p) => /^[\d*,/\-A-Za-z?]+$/.test(p))
    ? { ok: true, value: parts.join(' ') }
    : { ok: false, allowed };
};

export const country: Parse<string> = (raw) =>
  typeof raw === 'string' && /^[A-Za-z]{2}$/.test(raw.trim())
    ? { ok: true, value: raw.trim().toUpperCase() }
    : { ok: false, allowed: 'a two-letter ISO country code such as US or GB' };

export const urlList: Parse<string[]> = (raw) => {
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
export const trustProxy: Parse<TrustProxy> = (raw) => {
  const allowed =
    'false, a number of proxy hops (1-10), or comma-separated proxy addresses/subnets (loopback, 10.0.0.0/8, ...)';
  const text =
    typeof raw === 'boolean' || typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
  if (['false', 'off', 'no', '0'].includes(text.toLowerCase())) return { ok: true, value: false };
  if (/^\d+$/.test(text)) return Number(text) <= 10 ? { ok: true, value: Number(text) } : { ok: false, allowed };
  const items = text
    .split(',')
    .map((i) => i.trim())
    .filter(Boolean);
  const valid = (i: string) => {
    const [addr = '', bits, ...rest] = i.split('/');
    return (
      PROXY_NAMES.includes(i) ||
      (net.isIP(addr) !== 0 && rest.length === 0 && (bits === undefined || /^\d{1,3}$/.test(bits)))
    );
  };
  return items.length > 0 && items.every(valid) ? { ok: true, value: items.join(',') } : { ok: false, allowed };
};

export const decimal =
  (min: number, max: number): Parse<number> =>
  (raw) => {
    const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
    const n = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
    return Number.isFinite(n) && n >= min && n <= max
      ? { ok: true, value: n }
      : { ok: false, allowed: `a number from ${min} to ${max}` };
  };
