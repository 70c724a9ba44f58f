// The session's side of the contract scenarios: the commands a CallSession sends in the gate, in
// its order, and the events it would see for one call, over any ContractDriver.
import type { PbxCommand } from '../../../controller/src/domain/commands';
import type { PbxEvent, PbxEventType } from '../../../controller/src/domain/pbx-events';
import { PLAIN_RECORDER, type RecorderSpec } from '../../../controller/src/domain/recorder-spec';
import { until, type ContractDriver, type GateCall } from './driver';

export type EventOf<T extends PbxEventType> = Extract<PbxEvent, { type: T }>;

export const OK = { ok: true, value: undefined };
export const CALL: GateCall = {
  flow: 'sales',
  applet: 'queue',
  from: '+13105550100',
  to: '+12125550123',
  language: 'en',
  answered: false,
};
/** calls.id the registry passes in SetDecision (the adoption key after a restart). */
export const STORED_ID = 42;
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const promptOf = (callId: string) => `callrec-${callId}-1`;
export const fileOf = (callId: string) => `/var/spool/callrec/2026/11/22/20261122120000-${callId}.wav`;

export function portUser(d: ContractDriver) {
  const of = (callId: string, from = 0): PbxEvent[] => d.events.slice(from).filter((e) => e.callId === callId);
  const typesOf = (callId: string, from = 0): PbxEventType[] => of(callId, from).map((e) => e.type);
  const exec = (cmd: PbxCommand) => d.port.execute(cmd);
  async function waitFor<T extends PbxEventType>(callId: string, type: T, ms = 2000): Promise<EventOf<T>> {
    await until(() => of(callId).some((e) => e.type === type), ms, `${type} on ${callId}`);
    return of(callId).find((e) => e.type === type) as EventOf<T>;
  }
  const recordingStarted = (callId: string, file: string) =>
    of(callId).some((e) => e.type === 'RecordingStarted' && e.file === file);
  const lastRecorderId = (callId: string) =>
    of(callId)
      .filter((e): e is EventOf<'RecordingStarted'> => e.type === 'RecordingStarted' && e.recorderId !== null)
      .pop()?.recorderId ?? null;

  /** The greeting as the gate plays it, in early media; its promptId is the call's first. */
  const play = (callId: string, language = 'en') =>
    exec({ callId, type: 'Play', promptId: promptOf(callId), sound: 'callrec/announce', language, early: true });

  /** Up to the greeting: Watch, then Play. */
  async function toPrompt(call: Partial<GateCall> = {}): Promise<string> {
    const callId = d.enterGate({ ...CALL, ...call });
    await waitFor(callId, 'GateEntered');
    expect(await exec({ callId, type: 'Watch' })).toEqual(OK);
    expect(await play(callId)).toEqual(OK);
    return callId;
  }

  /** The only way out of the gate: the decision, then Continue. */
  async function release(callId: string, record: boolean, recorder: RecorderSpec = PLAIN_RECORDER): Promise<string> {
    const file = fileOf(callId);
    expect(
      await exec({
        callId,
        type: 'SetDecision',
        record,
        file: record ? file : null,
        recorder: record ? recorder : null,
        storedCallId: STORED_ID,
      }),
    ).toEqual(OK);
    expect(await exec({ callId, type: 'Continue' })).toEqual(OK);
    await until(() => d.leftGate(callId), 2000, 'the call leaving the gate');
    return file;
  }

  /** A call out of the gate, recording from ringing, confirmed by the PBX. */
  async function recordingCall(): Promise<{ callId: string; file: string }> {
    const callId = await toPrompt();
    d.finishPrompt(callId);
    await waitFor(callId, 'PromptFinished');
    const file = await release(callId, true);
    await until(() => recordingStarted(callId, file), 2000, 'RecordingStarted with the file');
    return { callId, file };
  }

  return { of, typesOf, exec, waitFor, recordingStarted, lastRecorderId, play, toPrompt, release, recordingCall };
}
