// The gate's decision for a call that just entered it: the policy's (within its bound), the one
// stored for a call found waiting after a restart, or none (the fallback) when the gate cannot be
// used. Becomes the session's Decided event, with the file the recording will get.
import type { GateFacts, PbxEvent } from '../domain/pbx-events';
import type { ControllerEvent } from '../domain/session-types';
import type { PbxKind } from '../domain/vocabulary';
import type { Decision, PolicyEngine } from '../policy/types';
import type { Store } from '../store';
import type { Logger } from '../util/logger';
import { callFacts, decideWithin } from './decide';
import type { CallMetrics } from './observers';
import { planFile } from './paths';
import { storedDecision } from './store-sync';
import type { RegistrySettings, TrackedCall } from './types';

export interface GateDeps {
  pbx: PbxKind;
  store: Store;
  policy: () => Promise<PolicyEngine>;
  policyNow?: () => PolicyEngine | null;
  logger: Logger;
  settings: RegistrySettings;
  metrics: CallMetrics;
}

type Decided = Extract<ControllerEvent, { type: 'Decided' }>;
/** The session's Decided event, with the policy's whole decision (kept as TrackedCall.decision). */
export type PolicyDecided = Omit<Decided, 'decision'> & { decision: Decision | null };

/**
 * problem: the gate cannot be used for this call (bad arguments): released at once with the
 * fallback. swept: found waiting in the gate at reconnect: released at once with its stored decision.
 */
export async function decideGate(
  d: GateDeps,
  t: TrackedCall,
  problem: string | null,
  at: Date,
  swept: boolean,
): Promise<PolicyDecided> {
  const facts = t.session.facts;
  const g =
    problem || swept
      ? { decision: swept ? await storedGate(d, t) : null, reason: problem ?? 'found waiting in the gate at reconnect' }
      : await decideWithin(d.policy, facts, d.pbx, d.settings.policyTimeoutMs, d.policyNow);
  const out = decided(d, t.pbxCallId, facts, g, at, problem !== null || swept, swept);
  t.decision = out.decision;
  // Counted in the next loop turn: off the gate's path, like the arrival's log line.
  setImmediate(() => countGate(d, t, g.decision));
  return out;
}

/** The gate's counters for a call's decision (null: the fallback), once a call. decideGateNow's caller counts. */
export function countGate(d: GateDeps, t: TrackedCall, decision: Decision | null): void {
  if (t.gateCounted) return;
  t.gateCounted = true;
  d.metrics.gated(d.pbx, decision ? 'decided' : 'fallback');
  if (decision) d.metrics.decided(decision.record);
}

/**
 * The decision of a call that just entered the gate, taken now by the rules already loaded;
 * null when they are not (then decideGate waits for them within its bound). Not counted yet:
 * the caller counts it (countGate) once the call is let go, and keeps it (TrackedCall.decision).
 */
export function decideGateNow(d: GateDeps, callId: string, facts: GateFacts, at: Date): PolicyDecided | null {
  try {
    const engine = d.policyNow?.();
    if (!engine) return null;
    const decision = engine.decide(callFacts(facts, d.pbx));
    return decided(d, callId, facts, { decision, reason: null }, at, false, false);
  } catch {
    return null; // a rule that throws: decideGate gives the fallback with its reason
  }
}

function decided(
  d: GateDeps,
  callId: string,
  facts: GateFacts,
  g: { decision: Decision | null; reason: string | null },
  at: Date,
  immediate: boolean,
  swept: boolean,
): PolicyDecided {
  const file = planFile(
    at,
    g.decision?.from ?? facts.from,
    g.decision?.to ?? facts.to,
    callId,
    d.settings.pbxRecordingsDir,
  );
  return { type: 'Decided', callId, at, decision: g.decision, reason: g.reason, file, immediate, swept };
}

/**
 * A call found in the gate after a restart was usually stored by the controller that died: take
 * over its row (a second insert would break calls_node_pbx_call_uq) and the decision it got.
 */
async function storedGate(d: GateDeps, t: TrackedCall): Promise<Decision | null> {
  try {
    const stored = await d.store.calls.findByPbxId(d.settings.node, t.pbxCallId);
    if (!stored) return null;
    t.callRowId = stored.id;
    return storedDecision(stored.decision);
  } catch (x) {
    d.logger.error(`could not read the stored call: ${(x as Error).message}`, { callId: t.pbxCallId });
    return null;
  }
}

/**
 * The line saying a call entered the gate, written once: by the returned function if it is called
 * first (a later line for the call goes after it), else in the next loop turn. Off the gate's path:
 * a line costs ~35 us while the caller waits. A call released at once says it at once.
 */
export function arrivalLine(logger: Logger, ev: Extract<PbxEvent, { type: 'GateEntered' }>): () => void {
  let said = false;
  const say = () => {
    if (said) return;
    said = true;
    logger.info('call entered the gate', {
      callId: ev.callId,
      flow: ev.facts.flow,
      applet: ev.facts.applet,
      problem: ev.problem ?? undefined,
    });
  };
  if (ev.problem || ev.swept) say();
  else setImmediate(say);
  return say;
}
