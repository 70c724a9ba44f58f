// Normalized PBX events: what an adapter makes of ARI/AMI/ESL wire events. Names follow the
// domain, not the wire; wire names stay inside pbx/<kind>/.
import type { FeatureAction } from './vocabulary';

export interface GateFacts {
  flow: string;
  applet: string;
  direction: 'inbound' | 'outbound' | 'internal';
  from: string | null;
  to: string | null;
  campaign: string | null;
  agent: string | null;
  language: string | null;
  answered: boolean;
}

interface Base {
  callId: string;
  at: Date;
}

/**
 * A number as the PBX gave it, or null when there is none: empty, or a placeholder the dialplan
 * puts where it has no number (`s` of a Gosub, `unknown` of a fallback file name).
 */
export function presentNumber(v: string | null | undefined): string | null {
  const t = v?.trim() ?? '';
  return t === '' || t === 's' || t.toLowerCase() === 'unknown' ? null : t;
}

/** A phone number or an extension, digits only ("+" first allowed); not a name such as `trunk`. */
export const isNumber = (v: string | null): v is string => v !== null && /^\+?\d+$/.test(v);

export type PbxEvent =
  /**
   * A call waits in the gate. `problem` says why it cannot be gated normally (unknown arguments,
   * found stuck at reconnect): the call is then released at once with the fallback.
   */
  | (Base & {
      type: 'GateEntered';
      facts: GateFacts;
      problem: string | null;
      swept: boolean;
      /**
       * Swept: when the connection whose sweep found it opened (performance.now() in this
       * process). A call followed since then gets its events and is not stuck.
       */
      openedAt?: number;
    })
  | (Base & { type: 'CallAnswered' })
  | (Base & { type: 'DtmfReceived'; digit: string })
  /** failure: the PBX could not play it (missing file...): the caller did not hear it. */
  | (Base & { type: 'PromptFinished'; promptId: string; failure?: string })
  /** Proof from the PBX that it writes: the file, or (later) the recorder's id, or both. */
  | (Base & { type: 'RecordingStarted'; file: string | null; recorderId: string | null })
  | (Base & { type: 'RecordingStopped'; file: string | null })
  | (Base & { type: 'FeatureRequested'; action: FeatureAction; by: string | null })
  /**
   * party: the other channel; agent: its number or extension when the PBX tells it (an agent
   * answering). transferring: a blind transfer sent the call to `agent`, nobody answered yet.
   */
  | (Base & {
      type: 'PartyChanged';
      kind: 'answered' | 'transfer' | 'transferring' | 'left';
      party: string | null;
      agent: string | null;
    })
  | (Base & { type: 'CallHungUp'; cause: string | null })
  | (Base & { type: 'CallGone' })
  /** Found recording at (re)connect: a call the controller may not know (restart mid-call). */
  | (Base & {
      type: 'RecordingFound';
      file: string;
      recorderId: string | null;
      storedCallId: number | null;
      channelName: string | null;
    })
  /**
   * After (re)connect: every call the PBX still has. callId is '' (not about one call). askedAt
   * is when the list was asked for (performance.now() in this process): a call that came after
   * it is missing from the list yet alive.
   */
  | (Base & { type: 'LiveCallsListed'; callIds: string[]; askedAt: number });

export type PbxEventType = PbxEvent['type'];
