// Which configured rule applies to a call, by precedence. Inbound: applet rule > flow default >
// account default. Outbound: campaign > account outbound setting. Internal: account internal
// setting. Anything missing or disabled falls back to the wider rule with a reason, never throws.
import type { DecisionSource } from './types';
import type { CallFacts } from './types';
import { completeRule, type Rule, type RuleSet } from './rules';

export interface SelectedRule {
  rule: Rule;
  source: DecisionSource;
  fallback: string | null; // why a wider rule than the call asked for was used
  reasons: string[];
}

const q = (s: string) => `"${s}"`;

function inbound(facts: CallFacts, rules: RuleSet): SelectedRule {
  const account = rules.account.inboundDefault;
  const toDefault = (why: string): SelectedRule => ({
    rule: account,
    source: 'account-default',
    fallback: why,
    reasons: [`${why}: account default rule applies`],
  });
  if (!facts.flow) return toDefault('the call names no flow');
  const flow = rules.flows.get(facts.flow);
  if (!flow) return toDefault(`flow ${q(facts.flow)} is not configured`);
  if (!flow.enabled) return toDefault(`flow ${q(facts.flow)} is disabled`);
  const flowRule = completeRule(flow.defaults, account);
  const applet = facts.applet ? flow.applets.get(facts.applet) : undefined;
  if (!applet) {
    const why = facts.applet
      ? `flow ${q(flow.name)} has no rule for applet ${q(facts.applet)}`
      : 'the call names no applet';
    return { rule: flowRule, source: 'flow', fallback: why, reasons: [`${why}: flow ${q(flow.name)} default applies`] };
  }
  return {
    rule: completeRule(applet.rule, flowRule),
    source: 'applet',
    fallback: null,
    reasons: [`applet rule ${q(`${flow.name}/${applet.applet}`)} (${applet.kind}) applies, over the flow default`],
  };
}

function outbound(facts: CallFacts, rules: RuleSet): SelectedRule {
  const base = rules.account.outbound;
  if (!facts.campaign)
    return {
      rule: base,
      source: 'outbound',
      fallback: null,
      reasons: ['outbound call: account outbound setting applies'],
    };
  const c = rules.campaigns.get(facts.campaign);
  const why = !c
    ? `campaign ${q(facts.campaign)} is not configured`
    : !c.enabled
      ? `campaign ${q(facts.campaign)} is disabled`
      : null;
  if (why || !c)
    return {
      rule: base,
      source: 'outbound',
      fallback: why,
      reasons: [`outbound call, ${why}: account outbound setting applies`],
    };
  return {
    rule: completeRule(c.rule, base),
    source: 'campaign',
    fallback: null,
    reasons: [`outbound call: campaign ${q(c.name)} overrides the account outbound setting`],
  };
}

export function selectRule(facts: CallFacts, rules: RuleSet): SelectedRule {
  switch (facts.direction) {
    case 'inbound':
      return inbound(facts, rules);
    case 'outbound':
      return outbound(facts, rules);
    case 'internal':
      return {
        rule: rules.account.internal,
        source: 'internal',
        fallback: null,
        reasons: ['internal call: account internal setting applies'],
      };
  }
}
