// Rows of the rules tables (settings, flows, applet_rules, campaigns, jurisdictions) as the policy's
// types, and the settings keys the account's defaults are stored under.
import type { ConsentMode, Tier } from '../domain/records';
import { ruleFieldsOf, type CampaignDocument, type UserDocument } from '../policy/document';
import {
  completeRule,
  DEFAULT_ACCOUNT,
  TIERS,
  USER_MODES,
  type UserMode,
  type UserRule,
  type AccountSettings,
  type AppletRule,
  type CampaignRules,
  type FlowRules,
  type Jurisdiction,
  type RuleFields,
} from '../policy/rules';
import { fromJson, toBool, toJson, type Row } from './rows';

export const ACCOUNT_KEYS = {
  inbound: 'account.inbound',
  outbound: 'account.outbound',
  internal: 'account.internal',
  languages: 'account.languages',
} as const;

export function accountFrom(settings: Row[]): AccountSettings {
  const get = <T>(key: string): T | null => {
    const row = settings.find((r) => r.key === key);
    return row ? fromJson<T>(row.value) : null;
  };
  return {
    inboundDefault: completeRule(get<RuleFields>(ACCOUNT_KEYS.inbound) ?? undefined, DEFAULT_ACCOUNT.inboundDefault),
    outbound: completeRule(get<RuleFields>(ACCOUNT_KEYS.outbound) ?? undefined, DEFAULT_ACCOUNT.outbound),
    internal: completeRule(get<RuleFields>(ACCOUNT_KEYS.internal) ?? undefined, DEFAULT_ACCOUNT.internal),
    languages: get<string[]>(ACCOUNT_KEYS.languages) ?? DEFAULT_ACCOUNT.languages,
  };
}

export function flowsFrom(flows: Row[], applets: Row[]): Map<string, FlowRules> {
  const byId = new Map<number, FlowRules>();
  for (const r of flows) {
    byId.set(Number(r.id), {
      name: String(r.name),
      description: r.description === null || r.description === undefined ? null : String(r.description),
      enabled: toBool(r.enabled),
      defaults: fromJson<RuleFields>(r.defaults) ?? {},
      applets: new Map(),
    });
  }
  for (const r of applets) {
    const a: AppletRule = { applet: String(r.applet), kind: String(r.kind), rule: fromJson<RuleFields>(r.rule) ?? {} };
    byId.get(Number(r.flow_id))?.applets.set(a.applet, a);
  }
  return new Map([...byId.values()].map((f) => [f.name, f]));
}

export function campaignFrom(r: Row): CampaignRules {
  return { name: String(r.name), enabled: toBool(r.enabled), rule: fromJson<RuleFields>(r.rule) ?? {} };
}

export function campaignRow(name: string, c: CampaignDocument, at: Date): Row {
  return { name, enabled: c.enabled ?? true, rule: toJson(ruleFieldsOf(c)), created_at: at, updated_at: at };
}

export function jurisdictionFrom(r: Row): Jurisdiction {
  return {
    code: String(r.code),
    name: String(r.name),
    allPartyConsent: toBool(r.all_party_consent),
    minConsent: String(r.min_consent) as ConsentMode,
  };
}

export function userFrom(r: Row): UserRule {
  const mode = String(r.mode);
  const tier = r.tier == null ? null : String(r.tier);
  return {
    id: String(r.id),
    name: r.name == null ? null : String(r.name),
    // A row this version cannot read keeps its user recorded: the strictest mode.
    mode: (USER_MODES as readonly string[]).includes(mode) ? (mode as UserMode) : 'always',
    pause: r.pause == null ? null : toBool(r.pause),
    tier: (TIERS as readonly string[]).includes(tier ?? '') ? (tier as Tier) : null,
  };
}

export function userRow(id: string, u: UserDocument, at: Date): Row {
  return { id, name: u.name ?? null, mode: u.mode, pause: u.pause ?? null, tier: u.tier ?? null, updated_at: at };
}
