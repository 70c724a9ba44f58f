// Feature codes (*48 pause, *49 resume, *44 start) read from the DTMF events the watching
// connection already receives. Verified on FreeSWITCH 1.10.12: bind_digit_action's exec: runs the
// action only after the bridge ends (and holds the other leg while it runs), so the dialplan cannot
// act on them mid-call; the controller can.
import type { FeatureAction } from '../../domain/vocabulary';

/** The actions a code asks for, each with the prompt that confirms it to the presser. */
export type CodeAction = Extract<FeatureAction, 'pause' | 'resume' | 'start'>;
export const FEATURE_CODES: Readonly<Record<string, CodeAction>> = { '*48': 'pause', '*49': 'resume', '*44': 'start' };
export const CONFIRMATION: Readonly<Record<CodeAction, string>> = {
  pause: 'callrec/paused',
  resume: 'callrec/resumed',
  start: 'callrec/started',
};
/** Longest pause between two digits of one code. */
export const INTER_DIGIT_MS = 2000;

interface Typed {
  digits: string;
  lastAt: number;
}

export class FeatureCodes {
  private readonly byChannel = new Map<string, Typed>();

  /** One digit received on a channel: the action when it completes a code. */
  push(channel: string, digit: string, atMs: number): CodeAction | null {
    const prev = this.byChannel.get(channel);
    const kept = prev && atMs - prev.lastAt <= INTER_DIGIT_MS ? prev.digits : '';
    const digits = (digit === '*' ? '*' : kept + digit).slice(-3);
    const action = FEATURE_CODES[digits] ?? null;
    if (action) this.byChannel.delete(channel);
    else this.byChannel.set(channel, { digits, lastAt: atMs });
    return action;
  }

  forget(channel: string): void {
    this.byChannel.delete(channel);
  }
}

export interface FeaturePress {
  callId: string;
  action: CodeAction;
  presser: string;
  by: string | null;
}

/**
 * Which recorded call a code is for: the channel's own when callrec follows it, else its bridge
 * partner's (the agent's leg of a recorded caller).
 */
export class FeatureWatch {
  private readonly codes = new FeatureCodes();
  private readonly partner = new Map<string, string>();
  private readonly known = new Set<string>();

  /** A call callrec follows (gated, recording, adopted). */
  know(callId: string): void {
    this.known.add(callId);
  }

  /** Every watched event, as the switch sent it: a completed code, or null. */
  observe(raw: Readonly<Record<string, string>>): FeaturePress | null {
    const name = raw['Event-Name'];
    const uuid = raw['Unique-ID'];
    if (!uuid) return null;
    const other = raw['Other-Leg-Unique-ID'];
    if (name === 'CHANNEL_BRIDGE' && other) {
      this.partner.set(uuid, other);
      this.partner.set(other, uuid);
    }
    if (name === 'CHANNEL_UNBRIDGE' || name === 'CHANNEL_DESTROY') this.unlink(uuid);
    if (name === 'CHANNEL_DESTROY') {
      this.known.delete(uuid);
      this.codes.forget(uuid);
    }
    if (name !== 'DTMF') return null;
    const us = Number(raw['Event-Date-Timestamp']);
    const action = this.codes.push(uuid, raw['DTMF-Digit'] ?? '', us > 0 ? us / 1000 : Date.now());
    if (!action) return null;
    // Digits cross the bridge: a channel neither followed nor bridged to a followed one (the far
    // end of a loopback, say) is not a party of a recorded call.
    const peer = this.partner.get(uuid);
    const callId = this.known.has(uuid) ? uuid : peer && this.known.has(peer) ? peer : null;
    return callId ? { callId, action, presser: uuid, by: raw['Channel-Name'] ?? null } : null;
  }

  private unlink(uuid: string): void {
    const other = this.partner.get(uuid);
    this.partner.delete(uuid);
    if (other !== undefined && this.partner.get(other) === uuid) this.partner.delete(other);
  }
}
