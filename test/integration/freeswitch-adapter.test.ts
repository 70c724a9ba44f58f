import fs from 'node:fs';
import path from 'node:path';
import { FreeswitchAdapter } from '../../controller/src/pbx/freeswitch/adapter';
import { beepTones } from '../../controller/src/pbx/freeswitch/beep';
import { loadConfig } from '../../controller/src/config';
import type { PbxEvent } from '../../controller/src/domain/pbx-events';
import { PLAIN_RECORDER, type RecorderSpec } from '../../controller/src/domain/recorder-spec';
import { silentLogger } from '../../controller/src/util/logger';
import { driveOutbound } from '../helpers/freeswitch/esl-outbound-driver';
import { startEslSim, type EslSim } from '../helpers/freeswitch/esl-sim';
import { fsEventLines } from '../helpers/freeswitch/traces';

const until = async (cond: () => boolean, ms = 3000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};

const UUID = '30a4f971-e58d-4146-994a-f74d1e46669d';
const FILE = `/tmp/rec/main-${UUID}.wav`;
const GATE_VARS = { callrec_flow: 'sales', callrec_applet: 'queue' };
const STEREO: RecorderSpec = { ...PLAIN_RECORDER, stereo: true };
const FROM_ANSWER: RecorderSpec = { ...PLAIN_RECORDER, fromAnswer: true };

describe('FreeSWITCH adapter over the ESL simulator', () => {
  let sim: EslSim;
  let adapter: FreeswitchAdapter;
  let ac: AbortController;
  let events: PbxEvent[];
  let gatePort: number;

  beforeEach(async () => {
    sim = await startEslSim();
    const cfg = loadConfig({
      CALLREC_PBX: 'freeswitch',
      CALLREC_ESL_PORT: String(sim.port),
      CALLREC_ESL_PASSWORD: 'ClueCon',
      CALLREC_ESL_SOUNDS_DIR: '/snd',
    });
    adapter = new FreeswitchAdapter(cfg, silentLogger(), {
      listenPort: 0,
      backoffBaseMs: 20,
      backoffCapMs: 50,
      commandTimeoutMs: 500,
    });
    events = [];
    adapter.onEvent((e) => events.push(e));
    ac = new AbortController();
    await adapter.start(ac.signal);
    gatePort = adapter.gatePort ?? 0;
    await until(
      () => adapter.status() === 'connected' && sim.commands.some((c) => c.includes('CUSTOM callrec::feature')),
    );
  });
  afterEach(async () => {
    ac.abort();
    await adapter.stop();
    await sim.close();
  });

  /** Plays a CallSession's part for an opt-in gate: greet, take the digit, decide, record, let go. */
  function actLikeSession(recorder: RecorderSpec): void {
    adapter.onEvent((e) => {
      const call = { callId: e.callId };
      if (e.type === 'GateEntered')
        void adapter.execute({
          ...call,
          type: 'Play',
          promptId: 'greet',
          sound: 'callrec/optin',
          language: null,
          early: true,
        });
      if (e.type === 'PromptFinished') {
        void (async () => {
          // The decision starts the recording on FreeSWITCH (the dialplan does it on Asterisk).
          await adapter.execute({ ...call, type: 'SetDecision', record: true, file: FILE, recorder, storedCallId: 42 });
          await adapter.execute({ ...call, type: 'Continue' });
        })();
      }
    });
  }

  it('gates a call: facts from CHANNEL_DATA, digit and prompt end in order, decision set, record_session, exit', async () => {
    actLikeSession(STEREO);
    const run = await driveOutbound({ port: gatePort, uuid: UUID, variables: GATE_VARS, answered: true, digits: '1' });
    expect(run.commands.slice(0, 2)).toEqual(['connect', 'event json CHANNEL_EXECUTE_COMPLETE DTMF']);
    expect(run.apps).toEqual([
      { app: 'playback', arg: '/snd/en/callrec/optin.wav' },
      { app: 'set', arg: 'callrec_action=record' },
      { app: 'set', arg: `callrec_file=${FILE}` },
      { app: 'set', arg: 'callrec_call_id=42' },
      { app: 'set', arg: 'callrec_decided=true' },
      { app: 'set', arg: 'RECORD_STEREO=true' },
      { app: 'record_session', arg: FILE },
    ]);
    expect(run.exited).toBe(true);
    expect(events.map((e) => e.type)).toEqual(['GateEntered', 'DtmfReceived', 'PromptFinished']);
    expect(events[0]).toMatchObject({
      callId: UUID,
      facts: { flow: 'sales', applet: 'queue', from: '+14155550100', to: '3000', answered: true },
    });
  });

  it('records from answer on a ringing call with execute_on_answer and a literal path', async () => {
    actLikeSession(FROM_ANSWER);
    const run = await driveOutbound({ port: gatePort, uuid: UUID, variables: GATE_VARS });
    expect(run.apps.slice(-1)).toEqual([{ app: 'set', arg: `execute_on_answer=record_session ${FILE}` }]);
    expect(run.apps.some((a) => a.app === 'record_session')).toBe(false);
  });

  it('records from answer on an answered call only while bridged (RECORD_BRIDGE_REQ), at once', async () => {
    actLikeSession(FROM_ANSWER);
    const run = await driveOutbound({ port: gatePort, uuid: UUID, variables: GATE_VARS, answered: true });
    expect(run.apps.slice(-2)).toEqual([
      { app: 'set', arg: 'RECORD_BRIDGE_REQ=true' },
      { app: 'record_session', arg: FILE },
    ]);
  });

  describe('the beep (beep.ts: tones displaced both ways)', () => {
    const BEEP: RecorderSpec = { ...PLAIN_RECORDER, beepEverySeconds: 15 };
    const [W, R] = beepTones(15);
    const displace = (verb: 'start' | 'stop') => [
      `api uuid_displace ${UUID} ${verb} ${W?.path}${verb === 'start' ? ` 0 ${W?.flags}` : ''}`,
      `api uuid_displace ${UUID} ${verb} ${R?.path}${verb === 'start' ? ` 0 ${R?.flags}` : ''}`,
    ];
    const recorderCmds = () =>
      sim.commands.filter((c) => c.startsWith('api uuid_record') || c.startsWith('api uuid_displace'));

    it('in the gate: displace_session after record_session, over the same socket', async () => {
      actLikeSession(BEEP);
      const run = await driveOutbound({ port: gatePort, uuid: UUID, variables: GATE_VARS, answered: true });
      expect(run.apps.slice(-3)).toEqual([
        { app: 'record_session', arg: FILE },
        { app: 'displace_session', arg: `${W?.path} m` },
        { app: 'displace_session', arg: `${R?.path} mr` },
      ]);
    });

    it('from answer on a ringing call: with the recorder, in execute_on_answer* variables', async () => {
      actLikeSession({ ...BEEP, fromAnswer: true });
      const run = await driveOutbound({ port: gatePort, uuid: UUID, variables: GATE_VARS });
      expect(run.apps.slice(-4)).toEqual([
        { app: 'set', arg: 'RECORD_BRIDGE_REQ=true' },
        { app: 'set', arg: `execute_on_answer=record_session ${FILE}` },
        { app: 'set', arg: `execute_on_answer_callrec_beep_1=displace_session ${W?.path} m` },
        { app: 'set', arg: `execute_on_answer_callrec_beep_2=displace_session ${R?.path} mr` },
      ]);
      expect(run.apps.some((a) => a.app === 'displace_session' || a.app === 'record_session')).toBe(false);
    });

    it('out of the gate: uuid_displace after uuid_record; skipping and stopping stop it, masking does not', async () => {
      sim.setApi((c) => (c.startsWith('uuid_displace') ? '+OK Success\n' : null));
      await expect(
        adapter.execute({ callId: UUID, type: 'StartRecording', file: FILE, recorder: BEEP }),
      ).resolves.toEqual({ ok: true, value: undefined });
      sim.emit(fsEventLines('uuid-record.events.jsonl').filter((l) => l.includes('"RECORD_START"')));
      await until(() => events.some((e) => e.type === 'RecordingStarted'));
      for (const mode of ['silence', 'skip'] as const) {
        await adapter.execute({ callId: UUID, type: 'PauseRecording', mode, recorderId: null });
        await adapter.execute({ callId: UUID, type: 'ResumeRecording', mode, file: FILE, recorder: BEEP });
      }
      await adapter.execute({ callId: UUID, type: 'StopRecording', recorderId: null });
      expect(recorderCmds()).toEqual([
        `api uuid_record ${UUID} start ${FILE}`,
        ...displace('start'),
        `api uuid_record ${UUID} mask ${FILE}`,
        `api uuid_record ${UUID} unmask ${FILE}`,
        `api uuid_record ${UUID} pause ${FILE}`,
        ...displace('stop'),
        `api uuid_record ${UUID} resume ${FILE}`,
        ...displace('start'),
        `api uuid_record ${UUID} stop ${FILE}`,
        ...displace('stop'),
      ]);
    });

    it('refuses to record without the beep asked for (mod_tone_stream missing, say): the recorder is stopped again', async () => {
      sim.setApi((c) => (c.startsWith('uuid_displace') ? '-ERR Cannot displace session!\n' : null));
      await expect(
        adapter.execute({ callId: UUID, type: 'StartRecording', file: FILE, recorder: BEEP }),
      ).resolves.toMatchObject({
        ok: false,
        error: { kind: 'rejected', detail: expect.stringMatching(/beep did not start/) },
      });
      expect(recorderCmds()).toEqual([
        `api uuid_record ${UUID} start ${FILE}`,
        displace('start')[0],
        `api uuid_record ${UUID} stop ${FILE}`,
      ]);
    });

    it('stops the beep of a recording adopted at reconnect with it', async () => {
      const bug = (fn: string, target: string) =>
        ` <media-bug>\n  <function>${fn}</function>\n  <target>${target}</target>\n  <thread-locked>0</thread-locked>\n </media-bug>\n`;
      sim.setApi((c) => {
        if (c === 'show channels as json')
          return JSON.stringify({ row_count: 1, rows: [{ uuid: UUID, name: 'loopback/1000-a' }] });
        if (c === `uuid_buglist ${UUID}`)
          return `<media-bugs>\n${bug('displace', W?.path ?? '')}${bug('session_record', FILE)}${bug('displace', R?.path ?? '')}${bug('displace', '/tmp/admin.wav')}</media-bugs>\n`;
        if (c.startsWith('uuid_displace')) return '+OK Success\n';
        return null;
      });
      sim.dropClients();
      await until(() => events.some((e) => e.type === 'RecordingFound'));
      await adapter.execute({ callId: UUID, type: 'StopRecording', recorderId: null });
      expect(recorderCmds()).toEqual([`api uuid_record ${UUID} stop ${FILE}`, ...displace('stop')]);
    });
  });

  it('reports the caller hanging up during a prompt from the gate socket, before the prompt could count as heard', async () => {
    actLikeSession(PLAIN_RECORDER);
    await driveOutbound({ port: gatePort, uuid: UUID, variables: GATE_VARS, hangupDuring: 'playback' });
    await until(() => events.length >= 2);
    expect(events.map((e) => e.type)).toEqual(['GateEntered', 'CallHungUp']);
    expect(events[1]).toMatchObject({ cause: 'NORMAL_CLEARING' });
  });

  it('reports a prompt the switch could not play as such (not heard is not announced)', async () => {
    const run = driveOutbound({ port: gatePort, uuid: UUID, variables: GATE_VARS, playbackResponse: 'FILE NOT FOUND' });
    adapter.onEvent((e) => {
      if (e.type === 'GateEntered')
        void adapter.execute({
          callId: UUID,
          type: 'Play',
          promptId: 'greet',
          sound: 'callrec/announce',
          language: null,
          early: true,
        });
      if (e.type === 'PromptFinished') void adapter.execute({ callId: UUID, type: 'Continue' });
    });
    await run;
    expect(events.find((e) => e.type === 'PromptFinished')).toMatchObject({
      promptId: 'greet',
      failure: 'FILE NOT FOUND (/snd/en/callrec/announce.wav)',
    });
  });

  it('marks a call that must not be recorded without the controller before its prompt plays', async () => {
    const run = driveOutbound({ port: gatePort, uuid: UUID, variables: GATE_VARS });
    adapter.onEvent((e) => {
      if (e.type !== 'GateEntered') return;
      void adapter.execute({ callId: UUID, type: 'Watch', neverRecordIfLost: true });
      void adapter.execute({
        callId: UUID,
        type: 'Play',
        promptId: 'q',
        sound: 'callrec/opt-in',
        language: null,
        early: false,
      });
      void adapter.execute({ callId: UUID, type: 'Continue' });
    });
    const { apps } = await run;
    expect(apps.slice(0, 2)).toEqual([
      { app: 'set', arg: 'callrec_fallback=skip' },
      { app: 'playback', arg: '/snd/en/callrec/opt-in.wav' },
    ]);
  });

  it('reports a call without the snippet variables with the problem, and lets it go when told', async () => {
    adapter.onEvent((e) => {
      if (e.type === 'GateEntered') void adapter.execute({ callId: e.callId, type: 'Continue' });
    });
    const run = await driveOutbound({ port: gatePort, uuid: UUID, timeoutMs: 3000 });
    expect(run.exited).toBe(true);
    expect(run.apps).toEqual([]);
    expect(events).toEqual([
      expect.objectContaining({ type: 'GateEntered', problem: expect.stringMatching(/callrec_flow/) }),
    ]);
  });

  it('forgets a gate whose caller hung up during the greeting', async () => {
    actLikeSession(PLAIN_RECORDER);
    await driveOutbound({ port: gatePort, uuid: UUID, variables: GATE_VARS, hangupAt: 'playback' });
    await until(() => events.length >= 1);
    const later = await adapter.execute({ callId: UUID, type: 'Continue' });
    expect(later).toEqual({ ok: true, value: undefined });
  });

  it('tracks pause itself: mask/unmask for silence, once each, on the file RECORD_START named', async () => {
    sim.emit(fsEventLines('uuid-record.events.jsonl').filter((l) => l.includes('"RECORD_START"')));
    await until(() => events.some((e) => e.type === 'RecordingStarted'));
    const pause = { callId: UUID, type: 'PauseRecording', mode: 'silence', recorderId: null } as const;
    await expect(adapter.execute(pause)).resolves.toEqual({ ok: true, value: undefined });
    await expect(adapter.execute(pause)).resolves.toEqual({ ok: true, value: undefined });
    expect(adapter.recorders.isPaused(UUID)).toBe(true);
    await expect(
      adapter.execute({ callId: UUID, type: 'ResumeRecording', mode: 'silence', file: FILE, recorder: PLAIN_RECORDER }),
    ).resolves.toMatchObject({ ok: true });
    const recorderCmds = sim.commands.filter((c) => c.startsWith('api uuid_record'));
    expect(recorderCmds).toEqual([`api uuid_record ${UUID} mask ${FILE}`, `api uuid_record ${UUID} unmask ${FILE}`]);
  });

  it('reads *48 from the DTMF events of a recorded call, reports it and confirms it to the presser', async () => {
    const caller = '671e28cd-a31c-4a67-b068-c4be3ca8b39b';
    const start = fsEventLines('uuid-record.events.jsonl')
      .filter((l) => l.includes('"RECORD_START"'))
      .map((l) => l.split(UUID).join(caller));
    const captured = fs
      .readFileSync(path.join(__dirname, '../fixtures/freeswitch-1.10.12-feature-codes.events.jsonl'), 'utf8')
      .trim()
      .split('\n');
    sim.emit([...start, ...captured.filter((l) => l.includes('"BACKGROUND_JOB"') === false)]);
    await until(() => events.filter((e) => e.type === 'FeatureRequested').length === 2);
    expect(events.filter((e) => e.type === 'FeatureRequested')).toMatchObject([
      { callId: caller, action: 'pause', by: 'loopback/c-b' },
      { callId: caller, action: 'resume', by: 'loopback/a-a' },
    ]);
    await until(() => sim.commands.filter((c) => c.startsWith('api uuid_broadcast')).length === 2);
    expect(sim.commands.filter((c) => c.startsWith('api uuid_broadcast'))).toEqual([
      `api uuid_broadcast ${caller} /snd/en/callrec/paused.wav aleg`,
      'api uuid_broadcast 8c63714b-2420-4b2d-b0ce-0669d625f623 /snd/en/callrec/resumed.wav aleg',
    ]);
  });

  it('announces again to both legs of a call in progress (a transfer reached a stricter party)', async () => {
    const cmd = { callId: UUID, type: 'Announce', promptId: 'p2', sound: 'callrec/announce', language: 'es' } as const;
    sim.setApi((c) => (c.startsWith('uuid_broadcast') ? '+OK Message sent\n' : null));
    await expect(adapter.execute(cmd)).resolves.toEqual({ ok: true, value: undefined });
    expect(sim.commands.filter((c) => c.startsWith('api uuid_broadcast'))).toEqual([
      `api uuid_broadcast ${UUID} /snd/es/callrec/announce.wav both`,
    ]);
    // Its end on the recorded leg, as the switch reports a playback's (PLAYBACK_STOP): cut short here.
    const stop = fsEventLines('uuid-record.events.jsonl').find((l) => l.includes('"PLAYBACK_STOP"'))!;
    const ended = (status: string) =>
      stop
        .split('/usr/local/freeswitch/sounds/callrec/consent.wav')
        .join('/snd/es/callrec/announce.wav')
        .replace('"Playback-Status":"done"', `"Playback-Status":"${status}"`);
    sim.emit([ended('break')]);
    await until(() => events.some((e) => e.type === 'PromptFinished' && e.promptId === 'p2'));
    expect(events.find((e) => e.type === 'PromptFinished' && e.promptId === 'p2')).toMatchObject({
      callId: UUID,
      failure: "the announcement's playback ended break",
    });
    expect(adapter.announcements.tracked()).toBe(0);
  });

  it('skips with pause/resume when the mode says so', async () => {
    sim.emit(fsEventLines('uuid-record.events.jsonl').filter((l) => l.includes('"RECORD_START"')));
    await until(() => events.some((e) => e.type === 'RecordingStarted'));
    await adapter.execute({ callId: UUID, type: 'PauseRecording', mode: 'skip', recorderId: null });
    await adapter.execute({
      callId: UUID,
      type: 'ResumeRecording',
      mode: 'skip',
      file: FILE,
      recorder: PLAIN_RECORDER,
    });
    expect(sim.commands.filter((c) => c.startsWith('api uuid_record'))).toEqual([
      `api uuid_record ${UUID} pause ${FILE}`,
      `api uuid_record ${UUID} resume ${FILE}`,
    ]);
  });

  it.each([
    [
      'a call with no recording',
      { callId: UUID, type: 'PauseRecording', mode: 'silence', recorderId: null } as const,
      'not-found',
    ],
    [
      'a session the switch cannot locate',
      {
        callId: '00000000-0000-0000-0000-000000000000',
        type: 'StartRecording',
        file: '/tmp/rec/x.wav',
        recorder: PLAIN_RECORDER,
      } as const,
      'not-found',
    ],
    [
      'a path with a space',
      { callId: UUID, type: 'StartRecording', file: '/tmp/my rec.wav', recorder: PLAIN_RECORDER } as const,
      'rejected',
    ],
  ])('maps a failure on %s to a PbxError', async (_what, cmd, kind) => {
    await expect(adapter.execute(cmd)).resolves.toMatchObject({ ok: false, error: { kind } });
  });

  it('maps uuid_record usage errors to rejected and a dropped link to disconnected', async () => {
    sim.setApi((c) => (c.startsWith('uuid_kill') ? '-USAGE: <uuid> [cause]\n' : null));
    await expect(adapter.execute({ callId: UUID, type: 'Hangup' })).resolves.toMatchObject({
      ok: false,
      error: { kind: 'rejected' },
    });
    await sim.close();
    await until(() => adapter.status() !== 'connected');
    await expect(adapter.execute({ callId: UUID, type: 'Hangup' })).resolves.toMatchObject({
      ok: false,
      error: { kind: 'disconnected' },
    });
  });

  it('reports recordings in progress at every (re)connect with the stored call id, then every live call', async () => {
    const OTHER = '8c6a3f7e-0000-4000-8000-000000000001';
    sim.setApi((c) => {
      if (c === 'show channels as json')
        return JSON.stringify({
          row_count: 2,
          rows: [
            { uuid: UUID, name: 'loopback/1000-a' },
            { uuid: OTHER, name: 'loopback/1001-a' },
          ],
        });
      if (c === `uuid_buglist ${UUID}`)
        return `<media-bugs>\n <media-bug>\n  <function>session_record</function>\n  <target>${FILE}</target>\n  <thread-locked>0</thread-locked>\n </media-bug>\n</media-bugs>\n`;
      if (c === `uuid_buglist ${OTHER}`) return '<media-bugs>\n</media-bugs>\n';
      if (c === `uuid_getvar ${UUID} callrec_call_id`) return '42';
      return null;
    });
    sim.dropClients();
    await until(() => events.some((e) => e.type === 'LiveCallsListed'));
    expect(events.find((e) => e.type === 'RecordingFound')).toMatchObject({
      callId: UUID,
      file: FILE,
      storedCallId: 42,
      channelName: 'loopback/1000-a',
    });
    expect(events.filter((e) => e.type === 'RecordingFound')).toHaveLength(1);
    expect(events.find((e) => e.type === 'LiveCallsListed')).toMatchObject({ callIds: [UUID, OTHER] });
    // Watch confirms a call taken over is still there (its hangup may have come before we listened).
    sim.setApi((c) => (c === `uuid_exists ${UUID}` ? 'true' : c === `uuid_exists ${OTHER}` ? 'false' : null));
    await expect(adapter.execute({ callId: UUID, type: 'Watch' })).resolves.toEqual({ ok: true, value: undefined });
    await expect(adapter.execute({ callId: OTHER, type: 'Watch' })).resolves.toMatchObject({
      ok: false,
      error: { kind: 'not-found' },
    });
    // The restarted controller did not pause it, but the stored session says how it was paused.
    await expect(
      adapter.execute({ callId: UUID, type: 'ResumeRecording', mode: 'skip', file: FILE, recorder: PLAIN_RECORDER }),
    ).resolves.toMatchObject({ ok: true });
    expect(sim.commands).toContain(`api uuid_record ${UUID} resume ${FILE}`);
    await adapter.execute({ callId: UUID, type: 'StopRecording', recorderId: null });
    expect(sim.commands).toContain(`api uuid_record ${UUID} stop ${FILE}`);
  });
});
