// A party joined a call: what its number requires and, for an agent, their recording mode, from
// the rules the gate decides with, as the event the call's session applies.
import type { ControllerCommand } from '../domain/commands';
import type { SessionEvent } from '../domain/session-types';
import type { PolicyEngine } from '../policy/types';

export async function resolveParty(
  policy: () => Promise<PolicyEngine>,
  c: Extract<ControllerCommand, { type: 'ResolveParty' }>,
): Promise<SessionEvent> {
  const engine = await policy();
  return {
    type: 'PartyResolved',
    callId: c.callId,
    at: new Date(),
    party: c.party,
    asUser: c.asUser,
    user: c.asUser ? engine.user(c.party) : null,
    requires: engine.party(c.party),
  };
}
