// Asks the policy within a bound: the engine provider may be loading rules from the database.
import type { GateFacts } from '../domain/pbx-events';
import type { PbxKind } from '../domain/vocabulary';
import type { CallFacts, Decision, PolicyEngine } from '../policy/types';

/** What the policy reads of a call at the gate. */
export const callFacts = (f: GateFacts, pbx: PbxKind): CallFacts => ({
  pbx,
  direction: f.direction,
  flow: f.flow,
  applet: f.applet,
  campaign: f.campaign,
  from: f.from,
  to: f.to,
  agent: f.agent,
  language: f.language,
});

export async function decideWithin(
  provider: () => Promise<PolicyEngine>,
  f: GateFacts,
  pbx: PbxKind,
  timeoutMs: number,
  /** The engine if it is ready now: then no timer and no race (each costs the gate's path). */
  now?: () => PolicyEngine | null,
): Promise<{ decision: Decision | null; reason: string | null }> {
  const facts = callFacts(f, pbx);
  let timer: NodeJS.Timeout | undefined;
  try {
    const ready = now?.();
    if (ready) return { decision: ready.decide(facts), reason: null };
    const engine = await Promise.race([
      provider(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`policy not ready within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { decision: engine.decide(facts), reason: null };
  } catch (e) {
    return { decision: null, reason: `policy unavailable: ${(e as Error).message}` };
  } finally {
    clearTimeout(timer);
  }
}
