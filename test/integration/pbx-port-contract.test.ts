// The PbxPort contract, run against both adapters over their simulators: a CallSession sees the
// same normalized events and results whichever PBX it drives.
import type { PbxEvent } from '../../controller/src/domain/pbx-events';
import { asteriskDriver, freeswitchDriver, type ContractDriver } from '../helpers/pbx-contract';
import { until } from '../helpers/gate-harness';

const FILE = '/rec/2026/11/23/contract.wav';

describe.each([
  ['asterisk', asteriskDriver],
  ['freeswitch', freeswitchDriver],
] as const)('PbxPort contract: %s', (_name, make) => {
  let d: ContractDriver;
  beforeEach(async () => { d = await make(); });
  afterEach(async () => { await d.close(); });

  const of = (callId: string) => d.events.filter((e) => e.callId === callId);
  const types = (callId: string) => of(callId).map((e) => e.type);

  /** Plays the session's part of a gate: greet, then decide to record and let go. */
  function actAsSession(decide: (e: PbxEvent) => boolean = (e) => e.type === 'PromptFinished'): void {
    d.port.onEvent((e) => {
      const callId = e.callId;
      if (e.type === 'GateEntered') {
        void d.port.execute({ callId, type: 'Watch' });
        void d.port.execute({ callId, type: 'Play', promptId: `p-${callId}`, sound: 'callrec/announce', language: 'en', early: true });
      }
      if (decide(e)) {
        void (async () => {
          await d.port.execute({ callId, type: 'SetDecision', record: true, file: FILE, options: '', storedCallId: 42 });
          await d.port.execute({ callId, type: 'Continue' });
        })();
      }
    });
  }

  it('gates a call: facts, the prompt ends with its id, the decision and continue succeed, the call goes on', async () => {
    actAsSession();
    const { callId } = await d.enterGate('sales', 'queue');
    expect(await d.released(callId)).toBe(true);
    expect(of(callId)[0]).toMatchObject({ type: 'GateEntered', problem: null, swept: false, facts: { flow: 'sales', applet: 'queue', direction: 'inbound', answered: false } });
    expect(of(callId).find((e) => e.type === 'PromptFinished')).toMatchObject({ promptId: `p-${callId}` });
  });

  it('delivers a digit pressed during the prompt, and stops the prompt on request', async () => {
    actAsSession((e) => e.type === 'DtmfReceived');
    d.port.onEvent((e) => { if (e.type === 'DtmfReceived') void d.port.execute({ callId: e.callId, type: 'StopPrompt', promptId: `p-${e.callId}` }); });
    const { callId } = await d.enterGate('sales', 'optin', '1');
    expect(await d.released(callId)).toBe(true);
    expect(of(callId).find((e) => e.type === 'DtmfReceived')).toMatchObject({ digit: '1' });
  });

  it('reports the recorder, pauses and resumes it both ways, and ends with hangup then gone', async () => {
    actAsSession();
    const { callId } = await d.enterGate('sales', 'queue');
    await d.released(callId);
    d.recordingStarted(callId, FILE);
    await until(() => types(callId).includes('RecordingStarted'), 3000, 'RecordingStarted');
    expect(of(callId).find((e) => e.type === 'RecordingStarted')).toMatchObject({ file: FILE });
    for (const mode of ['silence', 'skip'] as const) {
      await expect(d.port.execute({ callId, type: 'PauseRecording', mode, recorderId: null })).resolves.toEqual({ ok: true, value: undefined });
      await expect(d.port.execute({ callId, type: 'ResumeRecording', mode, file: FILE, options: '' })).resolves.toEqual({ ok: true, value: undefined });
    }
    expect(d.recorderOps(callId)).toEqual(['pause', 'resume', 'pause', 'resume']);
    d.hangup(callId);
    await until(() => types(callId).includes('CallGone'), 3000, 'CallGone');
    const end = types(callId);
    expect(end.indexOf('CallHungUp')).toBeGreaterThan(-1);
    expect(end.indexOf('CallHungUp')).toBeLessThan(end.indexOf('CallGone'));
  });

  it('answers commands on a call that is gone with an error, never a throw', async () => {
    const r = await d.port.execute({ callId: 'gone-0000-4000-8000-000000000000', type: 'Hangup' });
    expect(r.ok).toBe(false);
    const w = await d.port.execute({ callId: '00000000-0000-4000-8000-00000000dead', type: 'Watch' });
    expect(w.ok ? 'ok' : w.error.kind).toBe('not-found');
  });

  it('drops garbage and unknown events and keeps delivering', async () => {
    actAsSession();
    const first = await d.enterGate('sales', 'queue');
    await d.released(first.callId);
    d.sendJunk(first.callId);
    const second = await d.enterGate('sales', 'queue');
    expect(await d.released(second.callId)).toBe(true);
  });

  it('after a reconnect reports the recording in progress with its stored row id, then every live call', async () => {
    const rec = { callId: '11111111-0000-4000-8000-000000000001', file: '/rec/2026/11/23/found.wav' };
    const idle = '11111111-0000-4000-8000-000000000002';
    const from = d.events.length;
    await d.reconnectWith(rec, idle);
    await until(() => d.events.slice(from).some((e) => e.type === 'LiveCallsListed'), 5000, 'LiveCallsListed');
    const after = d.events.slice(from);
    expect(after.filter((e) => e.type === 'RecordingFound')).toEqual([expect.objectContaining({ callId: rec.callId, file: rec.file, storedCallId: 42 })]);
    const listed = after.find((e) => e.type === 'LiveCallsListed');
    expect(listed?.type === 'LiveCallsListed' ? [...listed.callIds].sort() : null).toEqual([rec.callId, idle]);
    expect(after.findIndex((e) => e.type === 'RecordingFound')).toBeLessThan(after.findIndex((e) => e.type === 'LiveCallsListed'));
  });
});
