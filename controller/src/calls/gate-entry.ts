// A call's first moments in the gate, beside the registry's bookkeeping: its decision taken as it
// enters when the rules are loaded, its one-request release started, and the guard that lets a
// call go on when callrec fails on it before its continue: a call is never left held in the gate.
import { CallSession } from '../domain/call-session';
import type { Command } from '../domain/commands';
import type { PbxEvent } from '../domain/pbx-events';
import type { GateDecision } from '../domain/session-types';
import { answerOf, type PbxPort } from '../pbx/port';
import { messageOf } from '../util/result';
import type { CallWrites } from './call-writes';
import { decideGateNow, type GateDeps } from './gate-decision';
import { releaseNow, type Released } from './release-now';
import type { TrackedCall } from './types';

export interface GateEntry extends TrackedCall {
  /** Entered the gate while we listened (not adopted): held until its continue. */
  gated?: boolean;
  /** Its continue sent or under way, and not refused: a later failure no longer holds the call. */
  continued?: boolean;
}

export interface EntryDeps<E extends GateEntry> {
  gate: GateDeps;
  port: PbxPort;
  writes: CallWrites;
  log(e: E, level: 'warn' | 'error', msg: string, meta?: Record<string, unknown>): void;
}

/**
 * The session's commands for the decision taken now (null: the queue decides, waiting for the
 * rules or for the fallback); `failed`: what threw, for the queue to let the call go with.
 */
export function decideAtEntry<E extends GateEntry>(
  d: EntryDeps<E>,
  e: E,
  ev: Extract<PbxEvent, { type: 'GateEntered' }>,
): { cmds: Command[] | null; failed: unknown } {
  try {
    const now = ev.problem || ev.swept ? null : decideGateNow(d.gate, e, ev.at);
    return { cmds: now ? e.session.handle(now) : null, failed: null };
  } catch (x) {
    return { cmds: null, failed: x };
  }
}

/** The one-request release, or null: one that throws leaves the commands to the call's queue. */
export function releaseAtOnce<E extends GateEntry>(d: EntryDeps<E>, e: E, cmds: readonly Command[]): Released | null {
  try {
    const released = releaseNow(d.port, d.writes, e, cmds);
    if (released) e.continued = true;
    return released;
  } catch (x) {
    d.log(e, 'warn', `release at once failed, its commands go one by one: ${messageOf(x)}`);
    return null;
  }
}

/** Whether a step that failed leaves the call held in the gate: it must be let go. */
export const heldBy = (e: GateEntry): boolean => e.gated === true && e.continued !== true;

/**
 * A step that failed while the call is held (heldBy): the call goes on with a bare continue, as
 * when callrec is not there (the dialplan's fallback). It is then followed as a call its
 * controller lost in the gate (CallSession.lost), keeping the decision and what the call showed:
 * its row says why, written now even when no step wrote it yet; whatever the fallback records is
 * adopted, and its hangup settles the call. Steps queued behind the failed one reach that
 * session. Returns false when the PBX refused the continue: the call is still held, and is to be
 * forgotten so that the sweep after a reconnect finds it in the gate and releases it.
 */
export async function letGo<E extends GateEntry>(d: EntryDeps<E>, e: E, x: unknown): Promise<boolean> {
  e.continued = true;
  const why = messageOf(x);
  d.log(e, 'error', `call step failed, the call goes on to the dialplan's fallback: ${why}`);
  const r = await answerOf(d.port.execute({ type: 'Continue', callId: e.pbxCallId }));
  if (!r.ok) d.log(e, 'error', `Continue failed: ${r.error.detail}`, { kind: r.error.kind });
  if (!r.ok && r.error.kind !== 'not-found') return false;
  const was = e.session.view();
  const lost = `callrec failed on the call in the gate (${why}); the dialplan applied its fallback`;
  const reason = was.fallbackReason ? `${was.fallbackReason}; then ${lost}` : lost;
  const carried = { decision: readable(was.decision), reason, answeredAt: was.answeredAt, agents: was.agents };
  e.session = CallSession.lost(e.pbxCallId, was.facts, d.gate.settings.session, carried);
  e.decision = readable(e.decision);
  const released = { record: 'dialplan', consentOutcome: 'fallback', fallbackReason: reason };
  await d.writes.persist(e, true, false, [{ event: 'released', detail: released }]);
  return true;
}

/** A decision as the lost call keeps it, or null when reading it is what failed. */
function readable<D extends Pick<GateDecision, 'record' | 'consent' | 'tier' | 'pauseAllowed'>>(
  dec: D | null,
): D | null {
  try {
    return dec && [dec.record, dec.consent, dec.tier, dec.pauseAllowed] ? dec : null;
  } catch {
    return null;
  }
}
