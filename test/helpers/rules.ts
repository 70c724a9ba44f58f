// In-memory rule sets for policy unit tests and the benchmark: the seeded jurisdictions (and no
// area code overrides) plus whatever flows and campaigns a test gives.
import { SEEDED_JURISDICTIONS } from '../../controller/src/policy/data/jurisdictions';
import {
  DEFAULT_ACCOUNT,
  type AccountSettings,
  type CampaignRules,
  type FlowRules,
  type PolicySettings,
  type RuleFields,
  type RuleSet,
  type UserRule,
} from '../../controller/src/policy/rules';
import type { CallFacts } from '../../controller/src/policy/types';

export const SETTINGS: PolicySettings = {
  defaultCountry: 'US',
  defaultLanguage: 'en',
  tierLengths: { standardDays: 180, extendedYears: 7 },
};

export function flow(
  name: string,
  defaults: RuleFields,
  applets: Record<string, RuleFields & { kind?: string }> = {},
  enabled = true,
): FlowRules {
  return {
    name,
    description: null,
    enabled,
    defaults,
    applets: new Map(
      Object.entries(applets).map(([a, { kind, ...rule }]) => [a, { applet: a, kind: kind ?? a, rule }]),
    ),
  };
}

export function ruleSet(
  opts: {
    flows?: FlowRules[];
    campaigns?: CampaignRules[];
    account?: Partial<AccountSettings>;
    users?: Array<Partial<UserRule> & Pick<UserRule, 'id' | 'mode'>>;
  } = {},
): RuleSet {
  return {
    version: 1,
    account: { ...DEFAULT_ACCOUNT, ...opts.account },
    flows: new Map((opts.flows ?? []).map((f) => [f.name, f])),
    campaigns: new Map((opts.campaigns ?? []).map((c) => [c.name, c])),
    jurisdictions: new Map(SEEDED_JURISDICTIONS.map((j) => [j.code, j])),
    areaCodes: new Map(),
    users: new Map((opts.users ?? []).map((u) => [u.id, { name: null, pause: null, tier: null, ...u }])),
  };
}

// New York and Texas: one-party consent, so nothing is raised.
export const NY = '+12125550123';
export const TX = '+12145550100';

export const facts = (f: Partial<CallFacts>): CallFacts => ({
  pbx: 'asterisk',
  direction: 'inbound',
  flow: null,
  applet: null,
  campaign: null,
  from: NY,
  to: TX,
  agent: null,
  language: null,
  ...f,
});
