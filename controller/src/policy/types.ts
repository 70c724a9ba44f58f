// What the policy decides from and what it decides. Pure data: the gate, `callrec explain` and
// the API all go through the same PolicyEngine.decide.
import type { ConsentMode, Direction, RecordMode, Tier } from '../domain/records';
import type { PbxKind } from '../domain/vocabulary';
import type { UserRule } from '../domain/user-mode';
import type { PartyConsent } from '../domain/party-consent';

export interface CallFacts {
  pbx: PbxKind;
  direction: Direction;
  flow: string | null;
  applet: string | null;
  campaign: string | null;
  from: string | null; // as the PBX gave it (national, international, withheld ...)
  to: string | null;
  agent: string | null;
  language: string | null;
}

/** Prompt names shipped in sounds/<lang>/callrec/<name>.wav and played as sound:callrec/<name>. */
export type PromptName = 'announce' | 'opt-in' | 'opt-out' | 'paused' | 'resumed' | 'started' | 'beep' | 'not-recorded';

export interface Greeting {
  prompt: PromptName; // which announcement the consent mode needs
  sound: string; // e.g. "callrec/opt-out"; the admin may name their own sound
  language: string; // the language the sound exists in (after fallback)
}

export interface Decision {
  record: RecordMode;
  consent: ConsentMode;
  greeting: Greeting | null; // null when consent is none
  pauseAllowed: boolean;
  beep: boolean;
  stereo: boolean;
  tier: Tier;
  /** Normalized numbers (E.164 when possible) as stored with the call. */
  from: string | null;
  to: string | null;
  jurisdictions: string[]; // e.g. ["US-CA", "GB"]: the all-party ones that applied
  /** Where each party was placed and by which data ("caller +1738...: US-CA by area code 738 in libphonenumber v9.0.35 (f7e3e88) data"); absent when jurisdictions did not apply. */
  placed?: string[];
  reasons: string[]; // in words an admin understands, in the order they applied
  /** Which configured rule produced the decision; `fallback` says why a wider rule was used. */
  source?: DecisionSource;
  fallback?: string | null;
}

export type DecisionSource = 'applet' | 'flow' | 'account-default' | 'campaign' | 'outbound' | 'internal';

export interface PolicyEngine {
  /** Synchronous and I/O-free: reads the in-memory rule cache. */
  decide(facts: CallFacts): Decision;
  /** A configured user's recording mode by agent id, or null. */
  user(agent: string): UserRule | null;
  /** What a party joining mid-call requires, by its number (an extension or a name: nothing). */
  party(number: string): PartyConsent;
}
