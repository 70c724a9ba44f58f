// Which consent a party's number requires: US numbers by area code to a state, others by country;
// an unknown or withheld number gets the strictest jurisdiction configured, since we cannot
// prove it is anywhere laxer. Extensions are our own users and carry none.
import type { ConsentMode } from '../domain/records';
import type { NormalizedNumber } from './numbers';
import { stricter, type Jurisdiction, type RuleSet } from './rules';

export interface PartyRequirement {
  jurisdiction: Jurisdiction | null;  // null: nothing configured applies, or the number is unknown
  consent: ConsentMode;               // at least this much
  unknown: boolean;                   // withheld or unreadable: the strictest was assumed
}

const NONE: PartyRequirement = { jurisdiction: null, consent: 'none', unknown: false };

export function requiredConsent(j: Jurisdiction): ConsentMode {
  return j.allPartyConsent ? stricter(j.minConsent, 'announce') : j.minConsent;
}

const strictestMemo = new WeakMap<RuleSet, ConsentMode>();

/** The most consent any configured jurisdiction requires: what an unknown number gets. */
export function strictestConsent(rules: RuleSet): ConsentMode {
  let best = strictestMemo.get(rules);
  if (best) return best;
  best = 'none';
  for (const j of rules.jurisdictions.values()) best = stricter(best, requiredConsent(j));
  strictestMemo.set(rules, best);
  return best;
}

/** The jurisdiction code of a normalized number: US-<state> for US area codes, else the country. */
export function jurisdictionCode(n: NormalizedNumber, rules: RuleSet): string | null {
  if (n.kind !== 'e164' || !n.country) return null;
  if (n.country === 'US') return rules.areaCodes.get(n.e164.slice(2, 5)) ?? 'US';
  return n.country;
}

export function partyRequirement(n: NormalizedNumber, rules: RuleSet): PartyRequirement {
  if (n.kind === 'extension') return NONE;
  if (n.kind === 'withheld' || n.kind === 'unknown') {
    return { jurisdiction: null, consent: strictestConsent(rules), unknown: true };
  }
  const code = jurisdictionCode(n, rules);
  const j = code ? rules.jurisdictions.get(code) ?? (n.country ? rules.jurisdictions.get(n.country) : undefined) : undefined;
  return j ? { jurisdiction: j, consent: requiredConsent(j), unknown: false } : NONE;
}
