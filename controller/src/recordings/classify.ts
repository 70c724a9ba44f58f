// The tier a file adopted from disk gets: what the rules decide for the numbers its name gives
// (no flow or applet is known, so the defaults and jurisdiction rules apply), else standard.
import type { PbxKind } from '../domain/vocabulary';
import type { PolicyEngine } from '../policy/types';
import type { Classify } from './adopt-file';

export function classifyByRules(engine: () => Promise<PolicyEngine>, pbx: PbxKind): Classify {
  return async (facts) => {
    if (!facts) return null;
    const d = (await engine()).decide({
      pbx,
      direction: 'inbound',
      flow: null,
      applet: null,
      campaign: null,
      from: facts.from,
      to: facts.to,
      agent: null,
      language: null,
    });
    return { tier: d.tier, from: d.from, to: d.to };
  };
}
