// A call that moves (a transfer) may reach a party whose jurisdiction requires more consent than
// the caller heard at the gate: the call hears the announcement again (re-announce), or, when
// that party requires a key press a call in progress cannot collect, the recording stops. Pure.
import { CONSENT_RANK, stricter, type ConsentMode, type ConsentOutcome } from './records';

/** What one party's number requires, as the policy places it (policy/jurisdiction.ts). */
export interface PartyConsent {
  consent: ConsentMode;
  jurisdiction: string | null;
  /** In an admin's words: "4155550100 is in US-CA (California), which requires at least announce". */
  why: string;
}

/** Outcomes in which the caller said no (or nothing, where a yes was needed). */
export const DECLINED: ReadonlySet<ConsentOutcome> = new Set(['declined', 'opted-out', 'timeout']);

/** The consent the call's parties have heard: the gate's, if it was heard, raised by each re-announcement. */
export function heardConsent(
  gate: ConsentMode | undefined,
  outcome: ConsentOutcome | null,
  reannounced: ConsentMode | null,
): ConsentMode {
  const atGate = outcome === 'announced' || outcome === 'accepted' ? (gate ?? 'none') : 'none';
  return reannounced ? stricter(atGate, reannounced) : atGate;
}

/**
 * Whether the caller consented as the gate required: nothing was required, or they heard the
 * announcement, or said yes. A gate that gave up (prompt not played, deadline) got no consent
 * unless none was required; a caller who declined never consented.
 */
export function consentHeard(consent: ConsentMode, outcome: ConsentOutcome | null): boolean {
  if (outcome === 'not-required' || outcome === 'announced' || outcome === 'accepted') return true;
  return consent === 'none' && (outcome === 'fallback' || outcome === null);
}

/**
 * What a recorded call does when `party` joins: nothing (what was heard is enough), announce again
 * (the party requires an announcement), or stop recording (it requires opt-out or opt-in, which
 * needs the caller's key press: only the gate can ask for that).
 */
export function onNewParty(heard: ConsentMode, party: PartyConsent): 'enough' | 'announce' | 'stop' {
  if (CONSENT_RANK[party.consent] <= CONSENT_RANK[heard]) return 'enough';
  return CONSENT_RANK[party.consent] <= CONSENT_RANK.announce ? 'announce' : 'stop';
}
