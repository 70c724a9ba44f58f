// The rules as an admin writes them (flows.yaml) and as the store and API accept them: one zod
// schema, so YAML import, the REST API and export agree on every field.
import { z } from 'zod';
import { CONSENT_MODES, RECORD_MODES, TIERS, type Rule, type RuleFields, type RuleSet } from './rules';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const name = (what: string) => z.string().regex(NAME, { error: `${what} must be 1-64 letters, digits, ".", "_" or "-"` });
const oneOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: (iss) => `${JSON.stringify(iss.input)} is not one of ${values.join(', ')}` });

const ruleShape = {
  record: oneOf(RECORD_MODES).optional(),
  consent: oneOf(CONSENT_MODES).optional(),
  greeting: z.record(z.string().regex(/^[a-z]{2,3}$/, { error: 'a language is a 2-3 letter code such as en' }),
    z.string().regex(/^[A-Za-z0-9_./-]{1,128}$/, { error: 'a sound is a path such as custom/sales-en, without extension' })).optional(),
  pause: z.boolean().optional(),
  beep: z.boolean().optional(),
  stereo: z.boolean().optional(),
  tier: oneOf(TIERS).optional(),
};

export const ruleFieldsSchema = z.strictObject(ruleShape);
const appletSchema = z.strictObject({ kind: name('an applet kind'), ...ruleShape });
const campaignSchema = z.strictObject({ enabled: z.boolean().optional(), ...ruleShape });
const flowSchema = z.strictObject({
  description: z.string().max(255).optional(),
  enabled: z.boolean().optional(),
  defaults: ruleFieldsSchema.optional(),
  applets: z.record(name('an applet name'), appletSchema).optional(),
});

export const rulesDocumentSchema = z.strictObject({
  account: z.strictObject({
    inbound: ruleFieldsSchema.optional(),
    outbound: ruleFieldsSchema.optional(),
    internal: ruleFieldsSchema.optional(),
    languages: z.array(z.string().regex(/^[a-z]{2,3}$/, { error: 'a language is a 2-3 letter code such as en' })).min(1).optional(),
  }).optional(),
  campaigns: z.record(name('a campaign name'), campaignSchema).optional(),
  flows: z.record(name('a flow name'), flowSchema).optional(),
});

export type RulesDocument = z.infer<typeof rulesDocumentSchema>;
export type AppletDocument = z.infer<typeof appletSchema>;
export type FlowDocument = z.infer<typeof flowSchema>;
export type CampaignDocument = z.infer<typeof campaignSchema>;

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
  const full = (r: Rule): RuleFields => (Object.keys(r.greeting).length > 0 ? r : ruleFieldsOf({ ...r, greeting: undefined }));
  const doc: RulesDocument = { account: { inbound: full(inboundDefault), outbound: full(outbound), internal: full(internal), languages } };
  if (rules.campaigns.size > 0) {
    doc.campaigns = Object.fromEntries(sorted(rules.campaigns).map(([n, c]) => [n, { enabled: c.enabled, ...c.rule }]));
  }
  doc.flows = Object.fromEntries(sorted(rules.flows).map(([n, f]) => {
    const flow: FlowDocument = {};
    if (f.description !== null) flow.description = f.description;
    flow.enabled = f.enabled;
    if (Object.keys(f.defaults).length > 0) flow.defaults = f.defaults;
    if (f.applets.size > 0) flow.applets = Object.fromEntries(sorted(f.applets).map(([a, r]) => [a, { kind: r.kind, ...r.rule }]));
    return [n, flow];
  }));
  return doc;
}
