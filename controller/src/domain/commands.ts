// What a CallSession asks for. PbxCommands go to the PBX adapter (the only code that talks to
// the PBX); ControllerCommands are carried out by the registry (store, timers, finalizer) in the
// order given, so a Persist placed before Continue is durable before the PBX goes on (except
// a release that records: the registry lets that write trail, calls/call-writes.ts says why).
import type { RecorderSpec } from './recorder-spec';
import type { PauseMode } from './vocabulary';

interface Base {
  callId: string;
}

export type PbxCommand =
  | (Base & { type: 'Answer' })
  | (Base & { type: 'Play'; promptId: string; sound: string; language: string | null; early: boolean })
  | (Base & { type: 'StopPrompt'; promptId: string })
  /**
   * Keep receiving this call's events after it leaves the gate. neverRecordIfLost: were the
   * controller lost before it releases the call, the PBX must not record it (opt-in without a yes);
   * a PBX whose dialplan goes on by itself when the controller goes (FreeSWITCH) is told so now.
   */
  | (Base & { type: 'Watch'; neverRecordIfLost?: boolean })
  /** The decision in one round trip; storedCallId is filled in by the registry (adoption key). */
  | (Base & {
      type: 'SetDecision';
      record: boolean;
      file: string | null;
      recorder: RecorderSpec | null;
      storedCallId: number | null;
    })
  | (Base & { type: 'Continue' })
  | (Base & { type: 'StartRecording'; file: string; recorder: RecorderSpec })
  | (Base & { type: 'PauseRecording'; mode: PauseMode; recorderId: string | null })
  | (Base & { type: 'ResumeRecording'; mode: PauseMode; file: string; recorder: RecorderSpec })
  | (Base & { type: 'StopRecording'; recorderId: string | null })
  /** Play a sound to everyone on the call in progress (re-announce after a transfer); the recorder keeps it. */
  | (Base & { type: 'Announce'; promptId: string; sound: string; language: string | null })
  | (Base & { type: 'Hangup' });

export type TimerName = 'gate' | 'finalize';

export type ControllerCommand =
  | (Base & { type: 'SetTimer'; timer: TimerName; ms: number })
  | (Base & { type: 'ClearTimer'; timer: TimerName })
  /** Write the session's call row and/or recording row as they are now. */
  | (Base & { type: 'Persist'; call: boolean; recording: boolean })
  /** One row in the call's timeline (recording_events). */
  | (Base & { type: 'Timeline'; event: string; detail: Record<string, unknown> })
  /** The file is closed: read it and settle the recording. */
  | (Base & { type: 'Finalize' })
  /**
   * A party joined (answer or transfer): look up what its number requires and, when `asUser`, the
   * agent's recording mode. Answered with PartyResolved.
   */
  | (Base & { type: 'ResolveParty'; party: string; asUser: boolean });

export type Command = PbxCommand | ControllerCommand;
export type CommandType = Command['type'];

const PBX_TYPES: ReadonlySet<string> = new Set<PbxCommand['type']>([
  'Answer',
  'Play',
  'StopPrompt',
  'Watch',
  'SetDecision',
  'Continue',
  'StartRecording',
  'PauseRecording',
  'ResumeRecording',
  'StopRecording',
  'Announce',
  'Hangup',
]);

export const isPbxCommand = (c: Command): c is PbxCommand => PBX_TYPES.has(c.type);
