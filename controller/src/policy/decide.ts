// decide(facts, rules, settings): the whole recording policy for one call. Pure and synchronous:
// the gate, `callrec explain` and the API all call it through a PolicyEngine.
import type { ConsentMode } from '../domain/records';
import { partyRequirement, type PartyRequirement } from './jurisdiction';
import { normalizeNumber, storedNumber, type NormalizedNumber } from './numbers';
import { CONSENT_RANK, stricter, type Rule, type PolicySettings, type RuleSet } from './rules';
import { selectRule } from './select-rule';
import { longerTier, userOutboundRecord, userPauses } from '../domain/user-mode';
import type { CallFacts, Decision, Greeting, PromptName } from './types';
import type { PartyConsent } from '../domain/party-consent';

function describeRule(r: Rule, s: PolicySettings): string {
  const tier =
    r.tier === 'extended'
      ? `extended tier (${s.tierLengths.extendedYears} years)`
      : `standard tier (${s.tierLengths.standardDays} days)`;
  const opts = [r.pause ? 'pause allowed' : 'no pause', r.beep ? 'beep' : 'no beep', r.stereo ? 'stereo' : 'mono'];
  return `record ${r.record}, consent ${r.consent}, ${tier}, ${opts.join(', ')}`;
}

/** Marks an unplaced (withheld, unreadable, unknown area code ...) party in Decision.jurisdictions. */
export const UNKNOWN_JURISDICTION = 'unknown';

function party(label: string, n: NormalizedNumber, req: PartyRequirement): string {
  if (req.unplaced !== null) {
    const why = n.kind === 'e164' ? `${n.e164} cannot be placed: ${req.unplaced}` : req.unplaced;
    return `${label} number ${why}: treated as the strictest configured jurisdiction, which requires at least ${req.consent}`;
  }
  const j = req.jurisdiction;
  return `${label} ${storedNumber(n) ?? ''} is in ${j?.code ?? '?'} (${j?.name ?? '?'}), which requires at least ${req.consent}${j?.allPartyConsent ? ' (all-party consent)' : ''}`;
}

function placement(label: string, n: NormalizedNumber, req: PartyRequirement): string {
  const number = `${label} ${storedNumber(n) ?? 'withheld'}`;
  if (req.placed !== null) return `${number}: ${req.placed}`;
  if (req.unplaced === null) return `${number}: an extension, no jurisdiction`;
  return `${number}: not placed${n.kind === 'e164' ? ` (${req.unplaced})` : ''}`;
}

interface Applied {
  consent: ConsentMode;
  codes: string[];
  placed: string[];
}

function applyJurisdictions(
  rule: Rule,
  from: NormalizedNumber,
  to: NormalizedNumber,
  rules: RuleSet,
  reasons: string[],
): Applied {
  const reqs: Array<[string, NormalizedNumber, PartyRequirement]> = [
    ['caller', from, partyRequirement(from, rules)],
    ['callee', to, partyRequirement(to, rules)],
  ];
  let consent = rule.consent;
  const codes: string[] = [];
  const placed = reqs.map(([label, n, req]) => placement(label, n, req));
  for (const [label, n, req] of reqs) {
    if (req.consent === 'none') continue;
    const code = req.unplaced !== null ? UNKNOWN_JURISDICTION : req.jurisdiction?.code;
    if (code && !codes.includes(code)) codes.push(code);
    reasons.push(party(label, n, req));
    consent = stricter(consent, req.consent);
  }
  if (CONSENT_RANK[consent] > CONSENT_RANK[rule.consent])
    reasons.push(`consent raised from ${rule.consent} to ${consent}: the stricter party wins`);
  else if (codes.length > 0) reasons.push(`the rule's consent ${rule.consent} already satisfies that`);
  return { consent, codes, placed };
}

function greeting(
  consent: ConsentMode,
  rule: Rule,
  facts: CallFacts,
  rules: RuleSet,
  settings: PolicySettings,
  reasons: string[],
): Greeting | null {
  if (consent === 'none') return null;
  const prompt: PromptName = consent;
  const wanted = facts.language ? (facts.language.toLowerCase().split(/[-_]/)[0] ?? '') : '';
  const has = (lang: string) =>
    lang !== '' && (rule.greeting[lang] !== undefined || rules.account.languages.includes(lang));
  const language = has(wanted) ? wanted : settings.defaultLanguage;
  if (wanted && language !== wanted)
    reasons.push(`no greeting in language "${facts.language ?? ''}": using ${language}`);
  return { prompt, sound: rule.greeting[language] ?? `callrec/${prompt}`, language };
}

/** An outbound call a configured user places: their mode decides record, pause and tier; the rule keeps consent. */
function withPlacingUser(rule: Rule, facts: CallFacts, rules: RuleSet, reasons: string[]): Rule {
  const user = facts.direction === 'outbound' && facts.agent ? rules.users.get(facts.agent) : undefined;
  if (!user) return rule;
  const record = userOutboundRecord(user, rule.record);
  const pause = userPauses(user);
  const tier = longerTier(rule.tier, user.tier);
  reasons.push(
    `user "${user.id}" places the call, mode ${user.mode}: record ${record}, ${pause ? 'pause allowed' : 'no pause'}${tier !== rule.tier ? `, ${tier} tier` : ''}; consent as the rule says`,
  );
  return { ...rule, record, pause, tier };
}

/**
 * A party joining a call in progress (a transfer): only a phone number can be placed; an extension
 * or an agent's name is one of our own users, and a call the PBX transfers dials a known number.
 */
export function joiningParty(number: string, rules: RuleSet, settings: PolicySettings): PartyConsent {
  const n = normalizeNumber(number, settings.defaultCountry);
  if (n.kind !== 'e164') return { consent: 'none', jurisdiction: null, why: `${number} is not a phone number` };
  const req = partyRequirement(n, rules);
  const code = req.unplaced !== null ? UNKNOWN_JURISDICTION : (req.jurisdiction?.code ?? null);
  return { consent: req.consent, jurisdiction: code, why: party('the new party', n, req) };
}

export function decide(facts: CallFacts, rules: RuleSet, settings: PolicySettings): Decision {
  const from = normalizeNumber(facts.from, settings.defaultCountry);
  const to = normalizeNumber(facts.to, settings.defaultCountry);
  const selected = selectRule(facts, rules);
  const reasons = [...selected.reasons];
  const rule = withPlacingUser(selected.rule, facts, rules, reasons);
  reasons.push(describeRule(rule, settings));
  let consent: ConsentMode = 'none';
  let jurisdictions: string[] = [];
  let placed: string[] | undefined;
  if (rule.record === 'off') {
    reasons.push('not recorded, so no consent is asked');
  } else if (facts.direction === 'internal') {
    consent = rule.consent;
    reasons.push('internal call: both parties are our own users, jurisdictions do not apply');
  } else {
    ({ consent, codes: jurisdictions, placed } = applyJurisdictions(rule, from, to, rules, reasons));
  }
  return {
    record: rule.record,
    consent,
    greeting: greeting(consent, rule, facts, rules, settings, reasons),
    pauseAllowed: rule.pause,
    beep: rule.beep,
    stereo: rule.stereo,
    tier: rule.tier,
    from: storedNumber(from),
    to: storedNumber(to),
    jurisdictions,
    placed,
    reasons,
    source: selected.source,
    fallback: selected.fallback,
  };
}
