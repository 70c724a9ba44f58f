// Call and recording rows as the tests hand them to the store: the fields they all share, the rest
// named by each test. Plain objects, so a test still sees (and asserts on) every value it cares about.
import type { NewCall } from '../../controller/src/store/calls-repo';
import type { NewRecording } from '../../controller/src/store/recordings-repo';

/** A finished inbound call that was not gated by any flow: no numbers, no decision, consent `none`. */
export function doneCall(pbxCallId: string, over: Partial<NewCall> = {}): NewCall {
  return {
    node: 'pbx1',
    pbx: 'asterisk',
    pbxCallId,
    direction: 'inbound',
    flow: null,
    applet: null,
    campaign: null,
    fromNumber: null,
    fromRaw: null,
    toNumber: null,
    toRaw: null,
    agent: null,
    language: null,
    state: 'done',
    recordMode: 'from-answer',
    consentMode: 'none',
    decision: null,
    startedAt: new Date('2020-01-01T00:00:00Z'),
    ...over,
  };
}

/** An inbound call the gate stored for the `sales` flow's `answer` applet, recording after an announcement. */
export function salesCall(pbxCallId: string, over: Partial<NewCall> = {}): NewCall {
  return {
    ...doneCall(pbxCallId),
    flow: 'sales',
    applet: 'answer',
    language: 'en',
    state: 'recording',
    consentMode: 'announce',
    startedAt: new Date(),
    ...over,
  };
}

/** A mono inbound recording without a beep, numbers or agent (the call it belongs to is the caller's to add). */
export function recordingRow(
  filePath: string,
  over: Partial<Omit<NewRecording, 'callId'>> = {},
): Omit<NewRecording, 'callId'> {
  return {
    state: 'completed',
    filePath,
    recordMode: 'from-answer',
    tier: 'standard',
    channels: 1,
    beep: false,
    direction: 'inbound',
    fromNumber: null,
    toNumber: null,
    agent: null,
    flow: null,
    campaign: null,
    ...over,
  };
}

/** The recording a `salesCall` has under way. */
export function salesRecording(
  filePath: string,
  over: Partial<Omit<NewRecording, 'callId'>> = {},
): Omit<NewRecording, 'callId'> {
  return recordingRow(filePath, { state: 'recording', flow: 'sales', startedAt: new Date(), ...over });
}
