// An agent took a call: their recording mode, from the rules the gate decides with, as the event
// their session applies (domain/user-mode.ts).
import type { ControllerCommand } from '../domain/commands';
import type { SessionEvent } from '../domain/session-types';
import type { PolicyEngine } from '../policy/types';

export async function resolveUser(
  policy: () => Promise<PolicyEngine>,
  c: Extract<ControllerCommand, { type: 'ResolveUser' }>,
): Promise<SessionEvent> {
  const user = (await policy()).user(c.agent);
  return { type: 'UserResolved', callId: c.callId, at: new Date(), agent: c.agent, user };
}
