// How the PBX is to record a call, in the domain's words. Each adapter spells it in its own terms:
// MixMonitor options on Asterisk, recorder variables and a displaced tone on FreeSWITCH.

export interface RecorderSpec {
  /** Keep audio only while the call is bridged: recording from answer, no ringback in the file. */
  readonly fromAnswer: boolean;
  /**
   * A short tone into the call every this many whole seconds while the recorder runs, the first
   * as it starts: both parties hear it and the file holds it. null: no beep.
   */
  readonly beepEverySeconds: number | null;
  /** The caller and the other party on the file's two channels. */
  readonly stereo: boolean;
}

/** What a rule's `beep: true` asks for: a beep every 15 s (MixMonitor's own default period). */
export const BEEP_EVERY_SECONDS = 15;

/** A recorder asked for nothing: what a recording callrec did not start itself is resumed with. */
export const PLAIN_RECORDER: RecorderSpec = Object.freeze({ fromAnswer: false, beepEverySeconds: null, stereo: false });

/** Whether two specs ask the PBX for the same recorder: every field of the spec compared. */
export function sameRecorder(a: RecorderSpec | null | undefined, b: RecorderSpec | null | undefined): boolean {
  if (!a || !b) return !a && !b;
  return (Object.keys(PLAIN_RECORDER) as Array<keyof RecorderSpec>).every((k) => a[k] === b[k]);
}

/** From a decision's recording fields (GateDecision's, named here so this module imports no session type). */
export function recorderSpec(d: { record: string; beep: boolean; stereo: boolean }): RecorderSpec {
  return {
    fromAnswer: d.record === 'from-answer',
    beepEverySeconds: d.beep ? BEEP_EVERY_SECONDS : null,
    stereo: d.stereo,
  };
}

/** Why a PBX cannot honour this spec's beep (both count whole seconds, from one), or null. */
export function beepProblem(r: RecorderSpec): string | null {
  const n = r.beepEverySeconds;
  return n === null || (Number.isInteger(n) && n >= 1)
    ? null
    : `a beep every ${n} s: the period must be a whole number of seconds, at least 1`;
}
