// What the PBX-port contract suite needs from each PBX: its adapter over a simulator of the real
// wire, the switch-side actions a call goes through, and a look at what the switch received. The
// suite asserts on the port only; drivers translate "the caller pressed 1" into ARI or ESL.
import type { PbxEvent } from '../../../controller/src/domain/pbx-events';
import type { PbxKind } from '../../../controller/src/domain/vocabulary';
import type { PbxPort } from '../../../controller/src/pbx/port';

export interface GateCall {
  flow: string;
  applet: string;
  from: string;
  to: string;
  /** The channel's language (Asterisk CHANNEL(language), FreeSWITCH callrec_language). */
  language: string;
  answered: boolean;
}

/** What the switch writes into the recording now. */
export type Writing = 'audio' | 'silence' | 'nothing';
export interface RecorderView {
  file: string;
  writing: Writing;
}
/** A periodic beep on the call: its period, whether the recording gets it, who hears it. */
export interface BeepView {
  everySeconds: number;
  intoFile: boolean;
  heardBy: Array<'channel' | 'other party'>;
}
export interface PromptHeard {
  sound: string;
  language: string;
}

export interface ContractDriver {
  readonly kind: PbxKind;
  readonly port: PbxPort;
  /** Every event the port emitted since start, in order. */
  readonly events: PbxEvent[];
  start(): Promise<void>;
  stop(): Promise<void>;

  /** A call reaches the gate (Stasis / the outbound socket) with these facts; its call id. */
  enterGate(call: GateCall): string;
  pressDigit(callId: string, digit: string): void;
  /** The prompt playing on the call plays to its end. */
  finishPrompt(callId: string): void;
  /** The far end picks up (the caller's channel is answered and bridged). */
  answer(callId: string): void;
  /** The caller hangs up. */
  hangup(callId: string): void;
  /** Malformed and unknown wire events about this call, as a buggy or newer PBX might send. */
  sendGarbage(callId: string): void;
  /** The PBX drops the controller's connection and refuses new ones until reconnect(). */
  disconnect(): void;
  reconnect(): void;

  /** The switch let the call go on (ARI continue / ESL exit). */
  leftGate(callId: string): boolean;
  prompts(callId: string): PromptHeard[];
  recorder(callId: string): RecorderView | null;
  /** The beep the switch mixes into the call now, or null. */
  beep(callId: string): BeepView | null;
  /** How many times the adapter has connected (and subscribed) so far. */
  sessions(): number;
}

export async function until(cond: () => boolean, ms = 2000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** What the switch's model (MixMonitor over AMI, or the ESL switch) shows of a call. */
export interface SwitchModel {
  recorder(callId: string): RecorderView | null;
  beep(callId: string): BeepView | null;
}

/** The part both drivers share: the port's events, and the recorder and beep as their switch model shows them. */
export abstract class SimulatedDriver {
  readonly events: PbxEvent[] = [];
  protected abstract model(): SwitchModel;

  recorder(callId: string): RecorderView | null {
    return this.model().recorder(callId);
  }

  beep(callId: string): BeepView | null {
    return this.model().beep(callId);
  }
}
