// One contract, both adapters: the same scenarios against Asterisk (ARI simulator) and FreeSWITCH
// (ESL simulator replaying the fixtures' frames), asserting only what a CallSession and the
// registry see through PbxPort: normalized events and the Results of execute.
import type { PbxCommand } from '../../controller/src/domain/commands';
import type { PbxEvent } from '../../controller/src/domain/pbx-events';
import { PLAIN_RECORDER } from '../../controller/src/domain/recorder-spec';
import { PAUSE_MODES } from '../../controller/src/domain/vocabulary';
import { AsteriskContract } from '../helpers/asterisk/contract-driver';
import { until, type ContractDriver } from '../helpers/contract/driver';
import { FreeswitchContract } from '../helpers/freeswitch/contract-driver';
import { CALL, fileOf, OK, portUser, promptOf, sleep, STORED_ID, type EventOf } from '../helpers/contract/session';

type Kind = ContractDriver['kind'];

/**
 * Differences the domain would notice that are not fixed on this branch: these cases are expected
 * to fail (it.failing) until the adapter is fixed, and then fail loudly so the mark comes off.
 * CALLREC_CONTRACT_STRICT=1 runs them as plain tests, to see how they fail.
 */
const KNOWN_GAPS: Record<Kind, readonly string[]> = {
  // MixMonitor's B(N), measured on 22.10.1 (asterisk-acceptance): the recorded channel's party
  // hears the beep, the file does not hold it (the periodic hook's ChanSpy whisper is mixed in after
  // MixMonitor's spy took the frame) and the agent did not hear it.
  asterisk: ['beep-into-file'],
  freeswitch: [],
};

describe.each<[Kind, () => ContractDriver]>([
  ['asterisk', () => new AsteriskContract()],
  ['freeswitch', () => new FreeswitchContract()],
])('PbxPort contract: %s', (kind, make) => {
  const d = make();
  const known = (gap: string) =>
    KNOWN_GAPS[kind].includes(gap) && !process.env.CALLREC_CONTRACT_STRICT ? it.failing : it;
  beforeAll(() => d.start(), 10_000);
  afterAll(() => d.stop());

  const { of, typesOf, exec, waitFor, recordingStarted, lastRecorderId, play, toPrompt, release, recordingCall } =
    portUser(d);

  describe('1. the gate', () => {
    it('reports the facts, plays, ends the prompt, takes the decision, lets the call go and confirms the recording', async () => {
      const callId = d.enterGate(CALL);
      const entered = await waitFor(callId, 'GateEntered');
      expect(entered).toMatchObject({
        problem: null,
        swept: false,
        facts: {
          flow: 'sales',
          applet: 'queue',
          direction: 'inbound',
          from: CALL.from,
          to: CALL.to,
          language: 'en',
          answered: false,
          campaign: null,
        },
      });
      expect(await exec({ callId, type: 'Watch' })).toEqual(OK);
      expect(await play(callId)).toEqual(OK);
      expect(d.prompts(callId)).toEqual([{ sound: 'callrec/announce', language: 'en' }]);
      d.finishPrompt(callId);
      expect(await waitFor(callId, 'PromptFinished')).toMatchObject({ promptId: promptOf(callId) });
      expect(d.leftGate(callId)).toBe(false);
      const file = await release(callId, true);
      await until(() => recordingStarted(callId, file), 2000, 'RecordingStarted with the file');
      expect(d.recorder(callId)).toEqual({ file, writing: 'audio' });
      expect(typesOf(callId).filter((t) => t !== 'RecordingStarted')).toEqual(['GateEntered', 'PromptFinished']);
    });

    it('lets a call go unrecorded when the decision says so', async () => {
      const callId = await toPrompt({ answered: true });
      expect(await waitFor(callId, 'GateEntered')).toMatchObject({ facts: { answered: true } });
      d.finishPrompt(callId);
      await waitFor(callId, 'PromptFinished');
      await release(callId, false);
      await sleep(30);
      expect(d.recorder(callId)).toBeNull();
      expect(typesOf(callId)).toEqual(['GateEntered', 'PromptFinished']);
    });

    known('prompt-language')('plays the prompt in the language the command names', async () => {
      const callId = d.enterGate(CALL);
      await waitFor(callId, 'GateEntered');
      expect(await play(callId, 'es')).toEqual(OK);
      expect(d.prompts(callId)).toEqual([{ sound: 'callrec/announce', language: 'es' }]);
      await exec({ callId, type: 'StopPrompt', promptId: promptOf(callId) });
      await release(callId, false);
    });

    known('gate-problem')(
      'reports a call that reached the gate without flow and applet, with the problem',
      async () => {
        const callId = d.enterGate({ ...CALL, flow: '', applet: '' });
        const entered = await waitFor(callId, 'GateEntered', 500);
        expect(entered.problem).toEqual(expect.any(String));
        await exec({ callId, type: 'Continue' });
      },
    );
  });

  describe('2. digits', () => {
    it('delivers each digit once, before the prompt ends; StopPrompt ends it (and is ok once it has ended)', async () => {
      const callId = await toPrompt({ answered: true });
      d.pressDigit(callId, '1');
      d.pressDigit(callId, '#');
      await until(() => typesOf(callId).filter((t) => t === 'DtmfReceived').length >= 2, 2000, 'two digits');
      expect(await exec({ callId, type: 'StopPrompt', promptId: promptOf(callId) })).toEqual(OK);
      expect(await waitFor(callId, 'PromptFinished')).toMatchObject({ promptId: promptOf(callId) });
      expect(await exec({ callId, type: 'StopPrompt', promptId: promptOf(callId) })).toEqual(OK);
      await sleep(30);
      expect(typesOf(callId)).toEqual(['GateEntered', 'DtmfReceived', 'DtmfReceived', 'PromptFinished']);
      expect(
        of(callId)
          .filter((e): e is EventOf<'DtmfReceived'> => e.type === 'DtmfReceived')
          .map((e) => e.digit),
      ).toEqual(['1', '#']);

      await release(callId, false);
      const from = d.events.length;
      d.pressDigit(callId, '5');
      await until(() => typesOf(callId, from).includes('DtmfReceived'), 2000, 'a digit after the gate');
      await sleep(30);
      expect(of(callId, from)).toEqual([expect.objectContaining({ type: 'DtmfReceived', digit: '5' })]);
    });
  });

  describe('3. answer', () => {
    it('shows the far end answering as one CallAnswered; a from-answer recording is confirmed by then', async () => {
      const callId = await toPrompt();
      d.finishPrompt(callId);
      await waitFor(callId, 'PromptFinished');
      const file = await release(callId, true, { ...PLAIN_RECORDER, fromAnswer: true });
      expect(typesOf(callId)).not.toContain('CallAnswered');
      d.answer(callId);
      await waitFor(callId, 'CallAnswered');
      await until(() => recordingStarted(callId, file), 2000, 'RecordingStarted with the file');
      await sleep(30);
      expect(typesOf(callId).filter((t) => t === 'CallAnswered')).toHaveLength(1);
      // Who answered, when the PBX says (Asterisk's Dial; FreeSWITCH's CHANNEL_BRIDGE, not in the fixtures).
      for (const e of of(callId).filter((x): x is EventOf<'PartyChanged'> => x.type === 'PartyChanged'))
        expect(e.party).toEqual(expect.any(String));
    });

    it('answers in the gate when told: ok, and CallAnswered follows', async () => {
      const callId = d.enterGate(CALL);
      await waitFor(callId, 'GateEntered');
      expect(await exec({ callId, type: 'Answer' })).toEqual(OK);
      await waitFor(callId, 'CallAnswered');
      await release(callId, false);
    });
  });

  describe('4. pause and resume', () => {
    it.each(PAUSE_MODES)('Pause(%s) and Resume answer ok and reach the recorder', async (mode) => {
      const { callId, file } = await recordingCall();
      expect(await exec({ callId, type: 'PauseRecording', mode, recorderId: lastRecorderId(callId) })).toEqual(OK);
      expect(d.recorder(callId)).toEqual({ file, writing: mode === 'silence' ? 'silence' : 'nothing' });
      expect(await exec({ callId, type: 'ResumeRecording', mode, file, recorder: PLAIN_RECORDER })).toEqual(OK);
      expect(d.recorder(callId)).toEqual({ file, writing: 'audio' });
    });

    it('starts a recording on demand (confirmed with the file) and stops it on request', async () => {
      const callId = await toPrompt({ answered: true });
      d.finishPrompt(callId);
      await release(callId, false);
      const file = fileOf(callId);
      expect(await exec({ callId, type: 'StartRecording', file, recorder: PLAIN_RECORDER })).toEqual(OK);
      await until(() => recordingStarted(callId, file), 2000, 'RecordingStarted with the file');
      expect(d.recorder(callId)).toEqual({ file, writing: 'audio' });
      expect(await exec({ callId, type: 'StopRecording', recorderId: lastRecorderId(callId) })).toEqual(OK);
      expect(d.recorder(callId)?.writing ?? 'nothing').toBe('nothing');
    });

    it('refuses to pause a call that is not recording, with not-found in both modes', async () => {
      const callId = await toPrompt({ answered: true });
      d.finishPrompt(callId);
      await release(callId, false);
      for (const mode of PAUSE_MODES) {
        await expect(exec({ callId, type: 'PauseRecording', mode, recorderId: null })).resolves.toMatchObject({
          ok: false,
          error: { kind: 'not-found' },
        });
      }
    });
  });

  describe('5. hangup', () => {
    it.each([
      ['the caller hangs up', true],
      ['Hangup is executed', false],
    ])('%s: CallHungUp first, CallGone last, RecordingStopped only in between', async (_name, byCaller) => {
      const { callId, file } = await recordingCall();
      const from = d.events.length;
      if (byCaller) d.hangup(callId);
      else expect(await exec({ callId, type: 'Hangup' })).toEqual(OK);
      await until(() => typesOf(callId, from).includes('CallGone'), 2000, 'CallGone');
      await sleep(30);
      const after = of(callId, from);
      expect(after[0]?.type).toBe('CallHungUp');
      expect(after.at(-1)?.type).toBe('CallGone');
      // The finalizer reads the file at CallGone: a RecordingStopped, where the PBX reports one, comes before.
      expect(after.slice(1, -1)).toEqual(
        after.slice(1, -1).map(() => expect.objectContaining({ type: 'RecordingStopped', file })),
      );
    });

    it("the caller hangs up in the gate: CallHungUp then CallGone, and the gate's commands answer not-found", async () => {
      const callId = await toPrompt();
      d.hangup(callId);
      await waitFor(callId, 'CallGone');
      const types = typesOf(callId).filter((t) => t === 'CallHungUp' || t === 'CallGone');
      expect(types).toEqual(['CallHungUp', 'CallGone']);
      for (const cmd of [
        { callId, type: 'Answer' },
        { callId, type: 'Play', promptId: `${callId}-2`, sound: 'callrec/announce', language: 'en', early: true },
        { callId, type: 'SetDecision', record: false, file: null, recorder: null, storedCallId: null },
      ] as const) {
        await expect(exec(cmd)).resolves.toMatchObject({ ok: false, error: { kind: 'not-found' } });
      }
    });

    describe('then every command on the gone call resolves, with not-found where it addresses the call', () => {
      let callId = '';
      beforeAll(async () => {
        callId = (await recordingCall()).callId;
        d.hangup(callId);
        await waitFor(callId, 'CallGone');
      });

      const commands: Array<[string, (id: string) => PbxCommand]> = [
        ['Answer', (id) => ({ callId: id, type: 'Answer' })],
        [
          'Play',
          (id) => ({
            callId: id,
            type: 'Play',
            promptId: `${id}-late`,
            sound: 'callrec/announce',
            language: 'en',
            early: false,
          }),
        ],
        [
          'SetDecision',
          (id) => ({ callId: id, type: 'SetDecision', record: false, file: null, recorder: null, storedCallId: null }),
        ],
        ['Continue', (id) => ({ callId: id, type: 'Continue' })],
        [
          'StartRecording',
          (id) => ({ callId: id, type: 'StartRecording', file: fileOf(id), recorder: PLAIN_RECORDER }),
        ],
        ['PauseRecording', (id) => ({ callId: id, type: 'PauseRecording', mode: 'silence', recorderId: null })],
        [
          'ResumeRecording',
          (id) => ({ callId: id, type: 'ResumeRecording', mode: 'skip', file: fileOf(id), recorder: PLAIN_RECORDER }),
        ],
        ['StopRecording', (id) => ({ callId: id, type: 'StopRecording', recorderId: null })],
        ['Hangup', (id) => ({ callId: id, type: 'Hangup' })],
      ];
      for (const [name, cmd] of commands) {
        known(`gone:${name}`)(`${name}: not-found`, async () => {
          await expect(exec(cmd(callId))).resolves.toMatchObject({ ok: false, error: { kind: 'not-found' } });
        });
      }

      // Not asserted alike: stopping a prompt is idempotent on Asterisk (a 404 playback is ok),
      // and Watch is a no-op on FreeSWITCH; the session never acts on their failure.
      it.each(['StopPrompt', 'Watch'] as const)('%s: resolves without throwing', async (type) => {
        const r = await exec(type === 'StopPrompt' ? { callId, type, promptId: promptOf(callId) } : { callId, type });
        expect(typeof r.ok).toBe('boolean');
      });
    });
  });

  describe('6. beep', () => {
    const beeping = (seconds: number, fromAnswer = false) => ({
      ...PLAIN_RECORDER,
      fromAnswer,
      beepEverySeconds: seconds,
    });
    /** Every how many seconds the recorded channel's own party hears the beep, or null. */
    const heard = (callId: string) => {
      const b = d.beep(callId);
      return b?.heardBy.includes('channel') ? b.everySeconds : null;
    };
    async function beepingCall(seconds: number): Promise<{ callId: string; file: string }> {
      const callId = await toPrompt({ answered: true });
      d.finishPrompt(callId);
      await waitFor(callId, 'PromptFinished');
      const file = await release(callId, true, beeping(seconds));
      await until(() => recordingStarted(callId, file), 2000, 'RecordingStarted with the file');
      return { callId, file };
    }

    it("beeps every N s to the recorded party from the recorder's start; pausing with silence keeps it, skipping and stopping stop it", async () => {
      const { callId, file } = await beepingCall(15);
      expect(heard(callId)).toBe(15);
      for (const mode of ['silence', 'skip'] as const) {
        expect(await exec({ callId, type: 'PauseRecording', mode, recorderId: lastRecorderId(callId) })).toEqual(OK);
        expect(heard(callId)).toBe(mode === 'silence' ? 15 : null);
        expect(await exec({ callId, type: 'ResumeRecording', mode, file, recorder: beeping(15) })).toEqual(OK);
        expect(heard(callId)).toBe(15);
      }
      expect(await exec({ callId, type: 'StopRecording', recorderId: lastRecorderId(callId) })).toEqual(OK);
      expect(d.beep(callId)).toBeNull();
    });

    it('from answer on a ringing call: beeping once the far end answers', async () => {
      const callId = await toPrompt();
      d.finishPrompt(callId);
      await waitFor(callId, 'PromptFinished');
      const file = await release(callId, true, beeping(15, true));
      d.answer(callId);
      await waitFor(callId, 'CallAnswered');
      await until(() => recordingStarted(callId, file), 2000, 'RecordingStarted with the file');
      expect(heard(callId)).toBe(15);
    });

    it('on demand, at any whole period; none when none is asked for', async () => {
      const callId = await toPrompt({ answered: true });
      d.finishPrompt(callId);
      await release(callId, false);
      expect(await exec({ callId, type: 'StartRecording', file: fileOf(callId), recorder: beeping(4) })).toEqual(OK);
      await until(() => recordingStarted(callId, fileOf(callId)), 2000, 'RecordingStarted with the file');
      expect(heard(callId)).toBe(4);
      const plain = await recordingCall();
      expect(d.beep(plain.callId)).toBeNull();
    });

    it.each([0, 2.5])(
      'refuses a beep every %s s (neither PBX can keep it): rejected, nothing recorded',
      async (seconds) => {
        const callId = await toPrompt({ answered: true });
        d.finishPrompt(callId);
        await release(callId, false);
        await expect(
          exec({ callId, type: 'StartRecording', file: fileOf(callId), recorder: beeping(seconds) }),
        ).resolves.toMatchObject({ ok: false, error: { kind: 'rejected' } });
        await sleep(30);
        expect(d.recorder(callId)).toBeNull();
        expect(d.beep(callId)).toBeNull();
      },
    );

    known('beep-into-file')(
      'the recording holds the beep and the other party hears it too (a pause with silence keeps it out of the file)',
      async () => {
        const { callId, file } = await beepingCall(15);
        const both = { everySeconds: 15, heardBy: ['channel', 'other party'] };
        const view = () => {
          const b = d.beep(callId);
          return b && { ...b, heardBy: [...b.heardBy].sort() };
        };
        expect(view()).toEqual({ ...both, intoFile: true });
        expect(
          await exec({ callId, type: 'PauseRecording', mode: 'silence', recorderId: lastRecorderId(callId) }),
        ).toEqual(OK);
        expect(view()).toEqual({ ...both, intoFile: false });
        expect(await exec({ callId, type: 'ResumeRecording', mode: 'silence', file, recorder: beeping(15) })).toEqual(
          OK,
        );
        expect(view()).toEqual({ ...both, intoFile: true });
      },
    );
  });

  describe('7. bad wire input', () => {
    it('drops malformed and unknown events without a reconnect, and later events still flow', async () => {
      const { callId } = await recordingCall();
      const from = d.events.length;
      const sessions = d.sessions();
      d.sendGarbage(callId);
      d.pressDigit(callId, '7');
      await until(() => typesOf(callId, from).includes('DtmfReceived'), 2000, 'the digit after the garbage');
      await sleep(30);
      expect(d.events.slice(from)).toEqual([expect.objectContaining({ type: 'DtmfReceived', callId, digit: '7' })]);
      expect(d.sessions()).toBe(sessions);
      expect(d.port.status()).toBe('connected');
    });
  });

  describe('8. disconnect and reconnect', () => {
    async function dropAndWait(): Promise<void> {
      d.disconnect();
      await until(() => d.port.status() === 'connecting', 2000, 'status connecting');
    }

    it('goes connecting while the PBX is away, connected once it is back, and events flow again', async () => {
      const { callId } = await recordingCall();
      const sessions = d.sessions();
      await dropAndWait();
      d.reconnect();
      await until(() => d.port.status() === 'connected', 3000, 'status connected');
      expect(d.sessions()).toBe(sessions + 1);
      // What the registry does for a call it knows when the PBX reports it again.
      expect(await exec({ callId, type: 'Watch' })).toEqual(OK);
      const from = d.events.length;
      d.hangup(callId);
      await until(() => typesOf(callId, from).includes('CallGone'), 2000, 'CallGone after the reconnect');
      expect(typesOf(callId, from)[0]).toBe('CallHungUp');
    });

    known('adoption')(
      'reports each recording in progress (RecordingFound, with the stored call id), then every live call (LiveCallsListed)',
      async () => {
        const live = await recordingCall();
        const ended = await recordingCall();
        await dropAndWait();
        d.hangup(ended.callId); // while the controller is away: its events are lost
        const from = d.events.length;
        const reconnectedAt = performance.now();
        d.reconnect();
        await until(() => d.port.status() === 'connected', 3000, 'status connected');
        await until(() => d.events.slice(from).some((e) => e.type === 'LiveCallsListed'), 1000, 'LiveCallsListed');
        const seenAt = performance.now();
        const after = d.events.slice(from);
        const found = after.filter((e): e is EventOf<'RecordingFound'> => e.type === 'RecordingFound');
        expect(found.filter((e) => e.callId === live.callId)).toEqual([
          expect.objectContaining({ file: live.file, storedCallId: STORED_ID }),
        ]);
        expect(found.map((e) => e.callId)).not.toContain(ended.callId);
        const listed = after.filter((e): e is EventOf<'LiveCallsListed'> => e.type === 'LiveCallsListed');
        expect(listed).toHaveLength(1);
        expect(listed[0]).toMatchObject({ callId: '' });
        // When the list was asked for: calls the registry began following later are not "gone".
        expect(listed[0]?.askedAt).toBeGreaterThanOrEqual(reconnectedAt);
        expect(listed[0]?.askedAt).toBeLessThanOrEqual(seenAt);
        expect(listed[0]?.callIds).toContain(live.callId);
        expect(listed[0]?.callIds).not.toContain(ended.callId);
        expect(after.findIndex((e) => e.type === 'RecordingFound' && e.callId === live.callId)).toBeLessThan(
          after.indexOf(listed[0] as PbxEvent),
        );
      },
    );
  });
});
