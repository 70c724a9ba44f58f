// The rules as an admin writes them (flows.yaml) and as the store and API accept them: one zod
// schema, so YAML import, the REST API and export agree on every field.
import { z } from 'zod';
import { clip, excerpt } from '../domain/excerpt';
import {
  CONSENT_MODES,
  RECORD_MODES,
  TIERS,
  USER_MODES,
  type Rule,
  type RuleFields,
  type RuleSet,
  type UserRule,
} from './rules';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
export const ruleName = (what: string) =>
  z.string().regex(NAME, { error: `${what} must be 1-64 letters, digits, ".", "_" or "-"` });
const oneOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: (iss) => `${excerpt(iss.input)} is not one of ${values.join(', ')}` });

const ruleShape = {
  record: oneOf(RECORD_MODES).optional(),
  consent: oneOf(CONSENT_MODES).optional(),
  greeting: z
    .record(
      z.string().regex(/^[a-z]{2,3}$/, { error: 'a language is a 2-3 letter code such as en' }),
      z
        .string()
        .regex(/^[A-Za-z0-9_./-]{1,128}$/, { error: 'a sound is a path such as custom/sales-en, without extension' }),
    )
    .optional(),
  pause: z.boolean().optional(),
  beep: z.boolean().optional(),
  stereo: z.boolean().optional(),
  tier: oneOf(TIERS).optional(),
};

export const ruleFieldsSchema = z.strictObject(ruleShape);
// kind is stored in a 32-character column: longer would pass here and fail in the database.
export const appletSchema = z.strictObject({
  kind: ruleName('an applet kind').max(32, { error: 'an applet kind is at most 32 characters' }),
  ...ruleShape,
});
export const campaignSchema = z.strictObject({ enabled: z.boolean().optional(), ...ruleShape });
export const flowSchema = z.strictObject({
  description: z.string().max(255).optional(),
  enabled: z.boolean().optional(),
  defaults: ruleFieldsSchema.optional(),
  applets: z.record(ruleName('an applet name'), appletSchema).optional(),
});

export const languagesSchema = z
  .array(z.string().regex(/^[a-z]{2,3}$/, { error: 'a language is a 2-3 letter code such as en' }))
  .min(1);
export const accountSchema = z.strictObject({
  inbound: ruleFieldsSchema.optional(),
  outbound: ruleFieldsSchema.optional(),
  internal: ruleFieldsSchema.optional(),
  languages: languagesSchema.optional(),
});

/** A user's id is the agent id the PBX reports: an extension (202) or a login (alice@sales). */
export const userIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,63}$/, {
  error:
    'a user id is the agent id the PBX reports (202, alice@sales): 1-64 letters, digits, ".", "_", "@", "+" or "-"',
});
export const userSchema = z.strictObject({
  name: z.string().trim().min(1).max(128).optional(),
  mode: oneOf(USER_MODES),
  pause: z.boolean().optional(),
  tier: oneOf(TIERS).optional(),
});

export const rulesDocumentSchema = z.strictObject({
  account: accountSchema.optional(),
  campaigns: z.record(ruleName('a campaign name'), campaignSchema).optional(),
  flows: z.record(ruleName('a flow name'), flowSchema).optional(),
  users: z.record(userIdSchema, userSchema).optional(),
});

// Not part of flows.yaml (seeded, then edited by the admin through the API), but worded alike.
export const jurisdictionCodeSchema = z
  .string()
  .regex(/^[A-Z]{2}(-[A-Z0-9]{1,3})?$/, { error: 'a jurisdiction code is a country (GB) or country-region (US-CA)' });
export const jurisdictionSchema = z.strictObject({
  name: z.string().trim().min(1, { error: 'a jurisdiction name is required' }).max(128),
  allPartyConsent: z.boolean(),
  minConsent: oneOf(CONSENT_MODES),
});
export const areaCodeSchema = z.strictObject({
  jurisdiction: jurisdictionCodeSchema, // a state (US-CA), province (CA-ON), or country (JM, or US for toll-free)
});
export const npaSchema = z
  .string()
  .regex(/^[2-9]\d\d$/, { error: 'an area code is 3 digits, not starting with 0 or 1' });

/** Parse options for rule documents: the input is needed to tell a missing field from a wrong one. */
export const RULE_PARSE = { reportInput: true } as const;

export interface RuleProblem {
  path: PropertyKey[];
  problem: string;
}

/** One problem per offending field, worded the same for the YAML import and the REST API. */
export function ruleProblems(issue: z.core.$ZodIssue): RuleProblem[] {
  if (issue.code === 'unrecognized_keys')
    return issue.keys.map((k) => ({ path: [...issue.path, k], problem: `unknown setting "${clip(k)}"` }));
  if (issue.code === 'invalid_key') return [{ path: issue.path, problem: issue.issues[0]?.message ?? issue.message }];
  if (issue.code === 'invalid_value' && issue.input === undefined)
    return [{ path: issue.path, problem: `is required (one of ${issue.values.map(String).join(', ')})` }];
  const missing = issue.code === 'invalid_type' && issue.input === undefined;
  return [{ path: issue.path, problem: missing ? `is required (${issue.expected})` : issue.message }];
}

export type RulesDocument = z.infer<typeof rulesDocumentSchema>;
export type AccountDocument = z.infer<typeof accountSchema>;
export type JurisdictionDocument = z.infer<typeof jurisdictionSchema>;
export type AppletDocument = z.infer<typeof appletSchema>;
export type FlowDocument = z.infer<typeof flowSchema>;
export type CampaignDocument = z.infer<typeof campaignSchema>;
export type UserDocument = z.infer<typeof userSchema>;

const RULE_KEYS = ['record', 'consent', 'greeting', 'pause', 'beep', 'stereo', 'tier'] as const;

/** The rule fields of a document entry (an applet or campaign also carries kind / enabled). */
export function ruleFieldsOf(entry: RuleFields): RuleFields {
  const out: RuleFields = {};
  for (const k of RULE_KEYS) if (entry[k] !== undefined) (out as Record<string, unknown>)[k] = entry[k];
  return out;
}

/** The document that re-imports to the same rules (`callrec flows export`). */
export function documentFromRuleSet(rules: RuleSet): RulesDocument {
  const { inboundDefault, outbound, internal, languages } = rules.account;
  const sorted = <T>(m: Map<string, T>) => [...m.entries()].sort(([a], [b]) => a.localeCompare(b));
  const full = (r: Rule): RuleFields =>
    Object.keys(r.greeting).length > 0 ? r : ruleFieldsOf({ ...r, greeting: undefined });
  const doc: RulesDocument = {
    account: { inbound: full(inboundDefault), outbound: full(outbound), internal: full(internal), languages },
  };
  if (rules.campaigns.size > 0) {
    doc.campaigns = Object.fromEntries(sorted(rules.campaigns).map(([n, c]) => [n, { enabled: c.enabled, ...c.rule }]));
  }
  doc.flows = Object.fromEntries(
    sorted(rules.flows).map(([n, f]) => {
      const flow: FlowDocument = {};
      if (f.description !== null) flow.description = f.description;
      flow.enabled = f.enabled;
      if (Object.keys(f.defaults).length > 0) flow.defaults = f.defaults;
      if (f.applets.size > 0)
        flow.applets = Object.fromEntries(sorted(f.applets).map(([a, r]) => [a, { kind: r.kind, ...r.rule }]));
      return [n, flow];
    }),
  );
  // Always written, even empty: re-importing an export must give the same users (none clears them).
  doc.users = Object.fromEntries(sorted(rules.users).map(([id, u]) => [id, userDocument(u)]));
  return doc;
}

/** A user as flows.yaml and the API write it: only what was set. */
export function userDocument(u: UserRule): UserDocument {
  return {
    ...(u.name !== null ? { name: u.name } : {}),
    mode: u.mode,
    ...(u.pause !== null ? { pause: u.pause } : {}),
    ...(u.tier !== null ? { tier: u.tier } : {}),
  };
}
