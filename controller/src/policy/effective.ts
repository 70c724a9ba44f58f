// The rules as they take effect: every field of every flow default, applet rule and campaign with
// the value a call would get and the level it comes from, so the dashboard can show an inherited
// value as inherited. Layered exactly as select-rule.ts layers them (completeRule, field by field).
import { completeRule, type Rule, type RuleFields, type RuleSet } from './rules';

/** Where a value comes from: the entry itself or a wider level it inherits from. */
export type RuleLevel = 'account' | 'flow' | 'applet' | 'campaign';

export type EffectiveRule = { [K in keyof Rule]: { value: Rule[K]; from: RuleLevel } };

export interface EffectiveRules {
  version: number;
  account: { inbound: EffectiveRule; outbound: EffectiveRule; internal: EffectiveRule; languages: string[] };
  flows: Array<{
    name: string;
    description: string | null;
    enabled: boolean;
    defaults: EffectiveRule;
    applets: Array<{ name: string; kind: string; rule: EffectiveRule }>;
  }>;
  campaigns: Array<{ name: string; enabled: boolean; rule: EffectiveRule }>;
}

const KEYS = ['record', 'consent', 'greeting', 'pause', 'beep', 'stereo', 'tier'] as const;

function own(rule: Rule, level: RuleLevel): EffectiveRule {
  const out: Record<string, unknown> = {};
  for (const k of KEYS) out[k] = { value: rule[k], from: level };
  return out as EffectiveRule;
}

/** `fields` over `base`: the values completeRule gives, each marked with the level it came from. */
function layered(fields: RuleFields, level: RuleLevel, base: EffectiveRule): EffectiveRule {
  const values = completeRule(fields, valuesOf(base));
  const out: Record<string, unknown> = {};
  for (const k of KEYS) out[k] = { value: values[k], from: fields[k] !== undefined ? level : base[k].from };
  return out as EffectiveRule;
}

export function valuesOf(e: EffectiveRule): Rule {
  const out: Record<string, unknown> = {};
  for (const k of KEYS) out[k] = e[k].value;
  return out as Rule;
}

const byName = <T>(m: Map<string, T>): Array<[string, T]> => [...m].sort(([a], [b]) => a.localeCompare(b));

export function effectiveRules(rules: RuleSet): EffectiveRules {
  const { inboundDefault, outbound, internal, languages } = rules.account;
  const inbound = own(inboundDefault, 'account');
  const out = own(outbound, 'account');
  return {
    version: rules.version,
    account: { inbound, outbound: out, internal: own(internal, 'account'), languages },
    flows: byName(rules.flows).map(([name, f]) => {
      const defaults = layered(f.defaults, 'flow', inbound);
      return {
        name,
        description: f.description,
        enabled: f.enabled,
        defaults,
        applets: byName(f.applets).map(([a, r]) => ({
          name: a,
          kind: r.kind,
          rule: layered(r.rule, 'applet', defaults),
        })),
      };
    }),
    campaigns: byName(rules.campaigns).map(([name, c]) => ({
      name,
      enabled: c.enabled,
      rule: layered(c.rule, 'campaign', out),
    })),
  };
}
