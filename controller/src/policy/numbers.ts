// Phone numbers as the PBX gives them (national, international, 00-prefixed, SIP URIs, withheld)
// normalized to E.164 with libphonenumber-js, so one caller is one value wherever it came from.
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

export type NormalizedNumber =
  | { kind: 'e164'; e164: string; country: string | null }
  | { kind: 'withheld' }
  | { kind: 'extension'; digits: string }
  | { kind: 'unknown'; raw: string };

const WITHHELD = new Set(['', 'anonymous', 'unknown', 'restricted', 'private', 'withheld', 'unavailable', 'blocked', 'null']);
// Extensions are short digit strings; real subscriber numbers anywhere have at least 7 digits.
const MAX_EXTENSION_DIGITS = 6;

function clean(raw: string): string {
  let s = raw.trim();
  const uri = /^(?:sips?|tel):([^@;]*)/i.exec(s);
  if (uri) s = uri[1] ?? '';
  return s.replace(/[\s().\-/]/g, '');
}

function parse(raw: string | null, defaultCountry: string): NormalizedNumber {
  if (raw === null) return { kind: 'withheld' };
  const s = clean(raw);
  if (WITHHELD.has(s.toLowerCase())) return { kind: 'withheld' };
  if (!/^\+?\d+$/.test(s)) return { kind: 'unknown', raw };
  if (!s.startsWith('+') && s.length <= MAX_EXTENSION_DIGITS) return { kind: 'extension', digits: s };
  const p = parsePhoneNumberFromString(s, defaultCountry as CountryCode);
  if (!p || !p.isValid()) return { kind: 'unknown', raw };
  return { kind: 'e164', e164: p.number, country: p.country ?? null };
}

// Parsing costs ~5-15 us per number, the rest of a decision well under 1 us; callers and DIDs
// repeat, so a bounded memo keeps the gate fast. Cleared wholesale when full: simple and bounded.
const MEMO_LIMIT = 50_000;
const memo = new Map<string, NormalizedNumber>();

export function normalizeNumber(raw: string | null, defaultCountry: string): NormalizedNumber {
  if (raw === null) return { kind: 'withheld' };
  const key = `${defaultCountry}|${raw}`;
  const hit = memo.get(key);
  if (hit) return hit;
  const n = parse(raw, defaultCountry);
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(key, n);
  return n;
}

/** The value stored with the call: E.164 when possible, else the digits or raw text, null when withheld. */
export function storedNumber(n: NormalizedNumber): string | null {
  switch (n.kind) {
    case 'e164': return n.e164;
    case 'extension': return n.digits;
    case 'unknown': return n.raw;
    case 'withheld': return null;
  }
}

export function clearNumberMemo(): void {
  memo.clear();
}
