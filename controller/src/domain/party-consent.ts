// A call that moves (a transfer) may reach a party whose jurisdiction requires more consent than
// the caller heard at the gate: the call hears the announcement again (re-announce), or, when
// that party requires a key press a call in progress cannot collect, the recording stops. Pure.
import type { ConsentMode, ConsentOutcome } from './records';

/** What one party's number requires, as the policy places it (policy/jurisdiction.ts). */
export interface PartyConsent {
  consent: ConsentMode;
  jurisdiction: string | null;
  /** In an admin's words: "4155550100 is in US-CA (California), which requires at least announce". */
  why: string;
}

const RANK: Record<ConsentMode, number> = { none: 0, announce: 1, 'opt-out': 2, 'opt-in': 3 };

/** The consent the call's parties have heard: the gate's, if it was heard, raised by each re-announcement. */
export function heardConsent(
  gate: ConsentMode | undefined,
  outcome: ConsentOutcome | null,
  reannounced: ConsentMode | null,
): ConsentMode {
  const atGate = outcome === 'announced' || outcome === 'accepted' ? (gate ?? 'none') : 'none';
  return reannounced && RANK[reannounced] > RANK[atGate] ? reannounced : atGate;
}

/**
 * What a recorded call does when `party` joins: nothing (what was heard is enough), announce again
 * (the party requires an announcement), or stop recording (it requires opt-out or opt-in, which
 * needs the caller's key press: only the gate can ask for that).
 */
export function onNewParty(heard: ConsentMode, party: PartyConsent): 'enough' | 'announce' | 'stop' {
  if (RANK[party.consent] <= RANK[heard]) return 'enough';
  return RANK[party.consent] <= RANK.announce ? 'announce' : 'stop';
}
