// A party joined a call: what its number requires and, for an agent, their recording mode, from
// the rules the gate decides with, as the event the call's session applies.
import type { ControllerCommand } from '../domain/commands';
import type { SessionEvent } from '../domain/session-types';
import type { PolicyEngine } from '../policy/types';

export async function resolveParty(
  policy: () => Promise<PolicyEngine>,
  c: Extract<ControllerCommand, { type: 'ResolveParty' }>,
): Promise<SessionEvent> {
  const base = { type: 'PartyResolved', callId: c.callId, at: new Date(), party: c.party } as const;
  try {
    const engine = await policy();
    return { ...base, user: c.asUser ? engine.user(c.party) : null, requires: engine.party(c.party) };
  } catch (e) {
    // No rules to read: the party may need the announcement, so it hears it; no mode applies.
    const why = `the rules could not be read (${(e as Error).message}): announced to be safe`;
    return { ...base, user: null, requires: { consent: 'announce', jurisdiction: null, why } };
  }
}
