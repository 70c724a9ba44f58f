// The rule set the policy reads: what the admin configured (flows, applets, campaigns, account
// settings, jurisdictions, area codes), already loaded into memory. Pure data.
import type { ConsentMode, RecordMode, Tier } from '../domain/records';
import type { UserRule } from '../domain/user-mode';

export const RECORD_MODES = [
  'off',
  'from-ringing',
  'from-answer',
  'on-demand',
] as const satisfies readonly RecordMode[];
export const CONSENT_MODES = ['none', 'announce', 'opt-out', 'opt-in'] as const satisfies readonly ConsentMode[];
export const TIERS = ['standard', 'extended'] as const satisfies readonly Tier[];

export { USER_MODES, type UserMode, type UserRule } from '../domain/user-mode';

export { CONSENT_RANK, stricter } from '../domain/records';

/** Any subset of a rule: a flow's defaults, an applet rule, a campaign's overrides. */
export interface RuleFields {
  record?: RecordMode;
  consent?: ConsentMode;
  /** Custom greeting sound per language, e.g. { en: 'custom/sales-en' }; default callrec/<prompt>. */
  greeting?: Record<string, string>;
  pause?: boolean;
  beep?: boolean;
  stereo?: boolean;
  tier?: Tier;
}

export type Rule = Required<Omit<RuleFields, 'greeting'>> & { greeting: Record<string, string> };

export interface AppletRule {
  applet: string;
  kind: string;
  rule: RuleFields;
}

export interface FlowRules {
  name: string;
  description: string | null;
  enabled: boolean;
  defaults: RuleFields;
  applets: Map<string, AppletRule>;
}

export interface CampaignRules {
  name: string;
  enabled: boolean;
  rule: RuleFields;
}

export interface Jurisdiction {
  code: string;
  name: string;
  allPartyConsent: boolean;
  minConsent: ConsentMode;
}

/** Account-level settings stored in the settings table, one key each. */
export interface AccountSettings {
  inboundDefault: Rule; // inbound calls no flow/applet rule covers
  outbound: Rule; // every outbound call unless its campaign says otherwise
  internal: Rule; // extension to extension
  languages: string[]; // languages the greeting sounds exist in
}

/** Not changed once loaded (a reload builds a new one): the policy memoizes per rule set. */
export interface RuleSet {
  version: number; // settings.rules_version when loaded; grows with every write
  account: AccountSettings;
  flows: Map<string, FlowRules>;
  campaigns: Map<string, CampaignRules>;
  jurisdictions: Map<string, Jurisdiction>;
  /** The admin's own +1 area code (NPA) -> jurisdiction entries, over the generated data (area-codes.ts). */
  areaCodes: Map<string, string>;
  /** Users by agent id: their recording modes (user-mode.ts). */
  users: Map<string, UserRule>;
}

/** What the policy reads from the configuration rather than from the rules. */
export interface PolicySettings {
  defaultCountry: string;
  defaultLanguage: string;
  tierLengths: { standardDays: number; extendedYears: number };
}

const BASE: Rule = {
  record: 'off',
  consent: 'none',
  greeting: {},
  pause: true,
  beep: false,
  stereo: false,
  tier: 'standard',
};

// Inbound: record from answer with an announcement (safe everywhere); outbound: on, as dialer
// users expect; internal: off (colleagues talking are not customer calls).
export const DEFAULT_ACCOUNT: AccountSettings = {
  inboundDefault: { ...BASE, record: 'from-answer', consent: 'announce' },
  outbound: { ...BASE, record: 'from-answer', consent: 'none' },
  internal: { ...BASE },
  languages: ['en', 'es'],
};

/** Fills the fields a partial rule leaves out from a complete one. */
export function completeRule(fields: RuleFields | undefined, base: Rule): Rule {
  return {
    record: fields?.record ?? base.record,
    consent: fields?.consent ?? base.consent,
    greeting: fields?.greeting ?? base.greeting,
    pause: fields?.pause ?? base.pause,
    beep: fields?.beep ?? base.beep,
    stereo: fields?.stereo ?? base.stereo,
    tier: fields?.tier ?? base.tier,
  };
}

export function emptyRuleSet(version = 0): RuleSet {
  return {
    version,
    account: DEFAULT_ACCOUNT,
    flows: new Map(),
    campaigns: new Map(),
    jurisdictions: new Map(),
    areaCodes: new Map(),
    users: new Map(),
  };
}
