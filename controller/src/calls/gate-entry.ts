// A call's first moments in the gate, beside the registry's bookkeeping: its decision taken as it
// enters when the rules are loaded, its one-request release written before the call is even
// tracked, and the guard that lets a call go on when callrec fails on it before its continue: a
// call is never left held in the gate.
import { CallSession } from '../domain/call-session';
import type { Command, PbxCommand } from '../domain/commands';
import { recordingRelease } from '../domain/gate-plan';
import type { PbxEvent } from '../domain/pbx-events';
import type { GateDecision } from '../domain/session-types';
import { answerOf, type PbxPort } from '../pbx/port';
import { messageOf } from '../util/result';
import type { CallWrites } from './call-writes';
import { countGate, decideGateNow, type GateDeps, type PolicyDecided } from './gate-decision';
import { releaseMismatch, type Released } from './release-now';
import type { TrackedCall } from './types';

export interface GateEntry extends TrackedCall {
  /** Entered the gate while we listened (not adopted): held until its continue. */
  gated?: boolean;
  /** Its continue sent or under way, and not refused: a later failure no longer holds the call. */
  continued?: boolean;
  /** When the gate event arrived (Date.now()), until its continue is answered: the gate's latency. */
  gateAt: number | null;
}

export interface EntryDeps<E extends GateEntry> {
  gate: GateDeps;
  port: PbxPort;
  writes: CallWrites;
  log(e: E, level: 'warn' | 'error', msg: string, meta?: Record<string, unknown>): void;
}

type SetDecision = Extract<PbxCommand, { type: 'SetDecision' }>;

/** The gate's first moment, before the call is tracked. */
export interface EarlyGate {
  /** The decision the loaded rules took now; null: the call's queue decides (no rules yet, a problem, swept). */
  decided: PolicyDecided | null;
  /** Its continue, written now with `sent`: the decision records and asks nothing first (recordingRelease). */
  released: { answer: Released; sent: SetDecision } | null;
  /** Why that continue could not be started: the session's commands then go one by one. */
  refused: string | null;
}

const LATER: EarlyGate = { decided: null, released: null, refused: null };

/**
 * Decides a call entering the gate and, when its decision records with nothing to ask, writes
 * its continue before anything else: the session built next gives the same release
 * (recordingRelease is what onDecided follows), and the registry checks that it does. A decision
 * that cannot be read is left to the session, whose step then fails while the call is held.
 */
export function gateAtEntry(d: GateDeps, port: PbxPort, ev: Extract<PbxEvent, { type: 'GateEntered' }>): EarlyGate {
  if (ev.problem || ev.swept) return LATER;
  const decided = decideGateNow(d, ev.callId, ev.facts, ev.at);
  if (!decided?.decision || !port.releaseNow) return { ...LATER, decided };
  let rec: ReturnType<typeof recordingRelease>;
  try {
    rec = recordingRelease(decided.decision, decided.file);
  } catch {
    return { ...LATER, decided }; // the session meets the same fault, the call still held
  }
  if (!rec) return { ...LATER, decided };
  try {
    const sent: SetDecision = { type: 'SetDecision', callId: ev.callId, ...rec, storedCallId: null };
    const answer = port.releaseNow(sent);
    return { decided, released: answer ? { answer, sent } : null, refused: null };
  } catch (x) {
    return { decided, released: null, refused: messageOf(x) };
  }
}

/**
 * The session's commands for the decision taken as the call entered (null: the queue decides,
 * waiting for the rules or for the fallback); `failed`: what threw, for the queue to let the call
 * go with.
 */
export function decideAtEntry<E extends GateEntry>(
  e: E,
  decided: PolicyDecided | null,
): { cmds: Command[] | null; failed: unknown } {
  try {
    if (!decided) return { cmds: null, failed: null };
    e.decision = decided.decision;
    return { cmds: e.session.handle(decided), failed: null };
  } catch (x) {
    return { cmds: null, failed: x };
  }
}

/**
 * The release written as the call entered, taken by its session's commands, or null: they go
 * one by one. `differs`: the session's commands are not that release (a bug): the call is then
 * followed as lost once its continue is answered (letGo), not sent commands for a gate it left.
 */
export function releaseAtOnce<E extends GateEntry>(
  d: EntryDeps<E>,
  e: E,
  cmds: readonly Command[] | null,
  early: EarlyGate,
): { released: Released | null; differs: Error | null } {
  if (early.refused) d.log(e, 'warn', `release at once failed, its commands go one by one: ${early.refused}`);
  if (!early.released) return { released: null, differs: null };
  e.continued = true;
  const off = cmds ? releaseMismatch(d.writes, e, cmds, early.released.sent) : null;
  const differs = off
    ? new Error(`the continue written as the call entered differs from its session's release: ${off}`)
    : null;
  return { released: early.released.answer, differs };
}

/** Its continue answered: how long it waited in the gate, observed once. */
export function gateLeft(d: Pick<GateDeps, 'metrics' | 'pbx'>, e: GateEntry): void {
  if (e.gateAt !== null) d.metrics.gateLatency(d.pbx, (Date.now() - e.gateAt) / 1000);
  e.gateAt = null;
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
 * `released`: the continue written as the call entered (gateAtEntry), its decision in it; the
 * call is followed the same way once that continue is answered, and records what it decided.
 */
export async function letGo<E extends GateEntry>(
  d: EntryDeps<E>,
  e: E,
  x: unknown,
  released: Released | null = null,
): Promise<boolean> {
  e.continued = true;
  const why = messageOf(x);
  const goes = released ? 'with the decision its continue carried' : "to the dialplan's fallback";
  d.log(e, 'error', `call step failed, the call goes on ${goes}: ${why}`);
  const r = await answerOf(released ?? d.port.execute({ type: 'Continue', callId: e.pbxCallId }));
  if (!r.ok) d.log(e, 'error', `Continue failed: ${r.error.detail}`, { kind: r.error.kind });
  if (!r.ok && r.error.kind !== 'not-found') return false;
  if (r.ok) gateLeft(d.gate, e);
  e.gateAt = null;
  countGate(d.gate, e, null); // unless its decision was counted before the failure
  const was = e.session.view();
  const lost = `callrec failed on the call in the gate (${why}); ${released ? 'it went on with its decision' : 'the dialplan applied its fallback'}`;
  const reason = was.fallbackReason ? `${was.fallbackReason}; then ${lost}` : lost;
  const carried = { decision: readable(was.decision), reason, answeredAt: was.answeredAt, agents: was.agents };
  e.session = CallSession.lost(e.pbxCallId, was.facts, d.gate.settings.session, carried);
  e.decision = readable(e.decision);
  const detail = { record: released ? 'record' : 'dialplan', consentOutcome: 'fallback', fallbackReason: reason };
  await d.writes.persist(e, true, false, [{ event: 'released', detail }]);
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
