// Phone numbers as the PBX gives them (national, international, 00-prefixed, SIP URIs, withheld)
// normalized to E.164 with libphonenumber-js, so one caller is one value wherever it came from.
import { getCountryCallingCode, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

export type NormalizedNumber =
  | { kind: 'e164'; e164: string; country: string | null }
  | { kind: 'withheld' }
  | { kind: 'extension'; digits: string }
  | { kind: 'unknown'; raw: string };

const WITHHELD = new Set([
  '',
  'anonymous',
  'unknown',
  'restricted',
  'private',
  'withheld',
  'unavailable',
  'blocked',
  'null',
]);
// Extensions are short digit strings; real subscriber numbers anywhere have at least 7 digits.
const MAX_EXTENSION_DIGITS = 6;

function clean(raw: string): string {
  let s = raw.trim();
  const uri = /^(?:sips?|tel):([^@;]*)/i.exec(s);
  if (uri) s = uri[1] ?? '';
  return s.replace(/[\s().\-/]/g, '');
}

// North American numbers are most of what a US box sees, and a full libphonenumber parse costs
// ~7-10 us (measured), which caps a gate at ~100k new callers/s. Their shape is fixed
// (NXX-NXX-XXXX), so the country follows from the area code alone: ask libphonenumber once per
// area code (at most 800 parses in a process) and build E.164 directly. Anything else parses fully.
const NANP = /^(?:\+1|1)?([2-9]\d{2})([2-9]\d{6})$/;
const areaCodeCountry = new Map<string, string | null>();
const nanpDefault = new Map<string, boolean>();

function countryOfAreaCode(ac: string): string | null {
  let c = areaCodeCountry.get(ac);
  if (c === undefined) {
    // 555-01xx numbers are reserved for fiction everywhere in the plan: a neutral probe.
    c = parsePhoneNumberFromString(`+1${ac}5550100`)?.country ?? null;
    areaCodeCountry.set(ac, c);
  }
  return c;
}

function isNanpCountry(country: string): boolean {
  let v = nanpDefault.get(country);
  if (v === undefined) {
    try {
      v = getCountryCallingCode(country as CountryCode) === '1';
    } catch {
      v = false;
    }
    nanpDefault.set(country, v);
  }
  return v;
}

/** E.164 for a number shaped like a North American one (+1..., 1... or 10 digits); null when not one. */
function nanpFast(s: string, defaultCountry: string): NormalizedNumber | null {
  if (!s.startsWith('+') && !isNanpCountry(defaultCountry)) return null;
  if (s.startsWith('+') && !s.startsWith('+1')) return null;
  const m = NANP.exec(s);
  if (!m) return null;
  // An area code libphonenumber does not know still gives a well-formed number, with no country:
  // the policy then says which area code it could not place, rather than "cannot be read".
  return { kind: 'e164', e164: `+1${m[1]}${m[2]}`, country: countryOfAreaCode(m[1] as string) };
}

function parse(raw: string | null, defaultCountry: string): NormalizedNumber {
  if (raw === null) return { kind: 'withheld' };
  const s = clean(raw);
  if (WITHHELD.has(s.toLowerCase())) return { kind: 'withheld' };
  if (!/^\+?\d+$/.test(s)) return { kind: 'unknown', raw };
  if (!s.startsWith('+') && s.length <= MAX_EXTENSION_DIGITS) return { kind: 'extension', digits: s };
  const fast = nanpFast(s, defaultCountry);
  if (fast) return fast;
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
    case 'e164':
      return n.e164;
    case 'extension':
      return n.digits;
    case 'unknown':
      return n.raw;
    case 'withheld':
      return null;
  }
}

export function clearNumberMemo(): void {
  memo.clear();
}
