// Which consent a party's number requires: +1 numbers by area code (to a US state, Canadian
// province, or Caribbean country), others by country. A number that cannot be placed (withheld,
// unreadable, an area code the data does not know, a non-geographic number) gets the strictest
// jurisdiction configured, since we cannot prove it is anywhere laxer. Extensions are our own
// users and carry none.
import type { ConsentMode } from '../domain/records';
import { placeAreaCode } from './area-codes';
import type { NormalizedNumber } from './numbers';
import { stricter, type Jurisdiction, type RuleSet } from './rules';

export interface PartyRequirement {
  jurisdiction: Jurisdiction | null; // null: nothing configured applies, or the number is not placed
  consent: ConsentMode; // at least this much
  /** Why the number could not be placed ("is withheld", "area code 800 is toll-free ..."): the strictest was assumed. */
  unplaced: string | null;
  /** Where it was placed and by what, e.g. "US-CA by area code 738 in libphonenumber v9.0.35 (f7e3e88) data". */
  placed: string | null;
}

const NONE: PartyRequirement = { jurisdiction: null, consent: 'none', unplaced: null, placed: null };

export function requiredConsent(j: Jurisdiction): ConsentMode {
  return j.allPartyConsent ? stricter(j.minConsent, 'announce') : j.minConsent;
}

const strictestMemo = new WeakMap<RuleSet, ConsentMode>();

/** The most consent any configured jurisdiction requires: what an unplaced number gets. */
export function strictestConsent(rules: RuleSet): ConsentMode {
  let best = strictestMemo.get(rules);
  if (best) return best;
  best = 'none';
  for (const j of rules.jurisdictions.values()) best = stricter(best, requiredConsent(j));
  strictestMemo.set(rules, best);
  return best;
}

type Place = { codes: readonly string[]; by: string } | { why: string };

function place(n: Exclude<NormalizedNumber, { kind: 'extension' }>, rules: RuleSet): Place {
  if (n.kind === 'withheld') return { why: 'is withheld' };
  if (n.kind === 'unknown') return { why: `"${n.raw}" cannot be read` };
  if (n.e164.startsWith('+1')) {
    const p = placeAreaCode(n.e164.slice(2, 5), rules.areaCodes);
    return p.placed ? p : { why: p.why };
  }
  return n.country
    ? { codes: [n.country], by: 'its country code' }
    : { why: 'it is a non-geographic international number' };
}

/** The configured jurisdiction for a code, or for its country ("US-TX" falls back to "US"). */
function configured(code: string, rules: RuleSet): Jurisdiction | undefined {
  return rules.jurisdictions.get(code) ?? rules.jurisdictions.get(code.split('-')[0] ?? code);
}

// A requirement depends only on the area code (or country) and the rules: memoized per rule set,
// so a decision stays a lookup (at most ~800 area codes and ~250 countries per rule set).
const memo = new WeakMap<RuleSet, Map<string, PartyRequirement>>();

export function partyRequirement(n: NormalizedNumber, rules: RuleSet): PartyRequirement {
  if (n.kind === 'extension') return NONE;
  if (n.kind !== 'e164') return requirement(n, rules);
  const key = n.e164.startsWith('+1') ? n.e164.slice(0, 5) : (n.country ?? '');
  let byKey = memo.get(rules);
  if (!byKey) memo.set(rules, (byKey = new Map()));
  let req = byKey.get(key);
  if (!req) byKey.set(key, (req = requirement(n, rules)));
  return req;
}

function requirement(n: Exclude<NormalizedNumber, { kind: 'extension' }>, rules: RuleSet): PartyRequirement {
  const p = place(n, rules);
  if ('why' in p) return { jurisdiction: null, consent: strictestConsent(rules), unplaced: p.why, placed: null };
  const placed = `${p.codes.join(' or ')} by ${p.by}`;
  // An area code regions share (902: Nova Scotia and PEI) may be in either: the stricter applies.
  let best: PartyRequirement = { ...NONE, placed };
  for (const code of p.codes) {
    const j = configured(code, rules);
    const consent = j ? requiredConsent(j) : 'none';
    if (j && (best.jurisdiction === null || stricter(best.consent, consent) !== best.consent))
      best = { jurisdiction: j, consent, unplaced: null, placed };
  }
  return best;
}
