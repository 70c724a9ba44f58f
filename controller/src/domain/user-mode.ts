// Per-user recording modes: what an agent's mode does to a call they take (answer or transfer)
// and to an outbound call they place. Pure: the session, the policy and `callrec explain --agent`
// all read it here, so they say the same thing.
import { consentHeard, DECLINED } from './party-consent';
import type { ConsentMode, ConsentOutcome, RecordMode, Tier } from './records';

/**
 * How a user's calls are recorded (the hosted services' per-user setting): always; always, the
 * user may pause and resume; or only when they ask (*44 or the API).
 */
export const USER_MODES = ['always', 'always-with-pause', 'on-demand'] as const;
export type UserMode = (typeof USER_MODES)[number];

/** A user (the PBX's agent id: an extension such as 202) and their recording mode. */
export interface UserRule {
  id: string;
  name: string | null;
  mode: UserMode;
  /** Whether they may pause; null: as the mode says (always: no, the others: yes). */
  pause: boolean | null;
  /** The tier their recordings are kept in; null: the call's rule decides. */
  tier: Tier | null;
}

export const userPauses = (u: UserRule): boolean => u.pause ?? u.mode !== 'always';

/** The longer-kept of two tiers: a user's tier never shortens what the call's rule keeps. */
export const longerTier = (a: Tier, b: Tier | null): Tier => (a === 'extended' || b === 'extended' ? 'extended' : a);

/** What the call was when the user took it: the gate's rule and what the caller answered. */
export interface CallAtAnswer {
  record: RecordMode; // the gate's record mode
  consent: ConsentMode; // what the gate had to ask
  recording: boolean; // a recording is running (or paused)
  consentOutcome: ConsentOutcome | null;
  tier: Tier;
}

export interface UserModeOutcome {
  /** start: record from now; keep: the recording goes on; wait: on demand (*44); none: nothing. */
  action: 'start' | 'keep' | 'wait' | 'none';
  pauseAllowed: boolean;
  tier: Tier;
  reasons: string[];
}

/**
 * An inbound or internal call taken by `user`. The gate's rule applied until now; the user's mode
 * starts the recording, keeps it, or leaves it to *44. It can never lower the consent the caller
 * got: a caller who declined is not recorded, and a call whose rule is off asked no consent, so
 * the mode does not start one there either.
 */
export function userAtAnswer(user: UserRule, call: CallAtAnswer): UserModeOutcome {
  const who = `user "${user.id}"${user.name ? ` (${user.name})` : ''} has mode ${user.mode}`;
  const pauseAllowed = userPauses(user);
  const tier = longerTier(call.tier, user.tier);
  const reasons = [who];
  const out = (action: UserModeOutcome['action'], why: string): UserModeOutcome => {
    reasons.push(why);
    reasons.push(pauseAllowed ? 'pause allowed (the user may pause)' : 'no pause (the user may not pause)');
    if (tier !== call.tier) reasons.push(`kept in the ${tier} tier (the user's tier)`);
    return { action, pauseAllowed, tier, reasons };
  };
  if (call.consentOutcome && DECLINED.has(call.consentOutcome))
    return out('none', `the caller did not consent (${call.consentOutcome}): not recorded, whatever the mode`);
  if (call.recording) return out('keep', "the gate's recording goes on");
  if (user.mode === 'on-demand') return out('wait', 'records only when asked (*44 or the API)');
  if (call.record === 'off')
    return out('none', "the call's rule is off, so no consent was asked: the mode does not start a recording");
  if (!consentHeard(call.consent, call.consentOutcome))
    return out(
      'none',
      `the caller did not get the ${call.consent} the gate had to give: the mode does not start a recording`,
    );
  return out('start', `records from the answer (the gate's rule was ${call.record})`);
}

/**
 * What `user`'s mode will do when they answer a call the gate decided so (explain, try a call):
 * as the session does it for a caller who did not decline. Outbound calls: null (decided at the gate).
 */
export function answerPreview(
  direction: 'inbound' | 'outbound' | 'internal',
  gate: { record: RecordMode; consent: ConsentMode; tier: Tier },
  user: UserRule | null,
): UserModeOutcome | null {
  if (!user || direction === 'outbound') return null;
  const recording = gate.record === 'from-answer' || gate.record === 'from-ringing';
  const heard = gate.consent === 'none' ? 'not-required' : gate.consent === 'opt-in' ? 'accepted' : 'announced';
  return userAtAnswer(user, {
    record: gate.record,
    consent: gate.consent,
    recording,
    consentOutcome: heard,
    tier: gate.tier,
  });
}

/**
 * The record mode of an outbound call `user` places: the mode decides, the rule keeps consent. A
 * rule that is off (a do-not-record campaign) stays off.
 */
export function userOutboundRecord(user: UserRule, ruleRecord: RecordMode): RecordMode {
  if (ruleRecord === 'off') return 'off';
  if (user.mode === 'on-demand') return 'on-demand';
  return ruleRecord === 'from-ringing' ? 'from-ringing' : 'from-answer';
}
