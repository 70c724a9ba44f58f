// Acceptance on a real FreeSWITCH 1.10 (issue 5, "Done when"): the real controller, the dialplan
// `callrec install freeswitch` writes, loopback calls originated over ESL. Runs when
// CALLREC_IT_ESL_HOST is set:
//   CALLREC_IT_ESL_HOST (127.0.0.1), CALLREC_IT_ESL_PORT (8021), CALLREC_IT_ESL_PASSWORD (ClueCon)
//   CALLREC_IT_FS_CONF: the switch's conf directory (callrec.xml and this test's context go there)
//   CALLREC_IT_FS_SOUNDS: the switch's sounds directory (the prompts are copied there)
//   CALLREC_IT_FS_RECORDINGS: a directory the switch writes and this process reads
//   CALLREC_IT_ESL_LISTEN_PORT: the gate's port (18084)
// The test writes its own context (conf/dialplan/callrec-it.xml, removed afterwards) and reloads
// the XML: callers are loopback channels whose other leg runs the applet snippet, agents answer
// and play a 440 Hz tone for 4 or 9 s. Figures measured along the way are printed at the end.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PauseMode } from '../../controller/src/domain/vocabulary';
import { EslSession, type EslEvent } from '../../controller/src/pbx/freeswitch/esl/session';
import { silentLogger } from '../../controller/src/util/logger';
import { moveScenarios, USERS_YAML } from './moves';
import * as acc from './acceptance';
import { gatedCall, sleep, waitFor, fileOf, soxi } from './acceptance';
import { runCli } from '../helpers/cli';
import { intervals } from '../helpers/tone-bursts';

const env = process.env;
const HOST = env.CALLREC_IT_ESL_HOST;
const PORT = env.CALLREC_IT_ESL_PORT ?? '8021';
const PASSWORD = env.CALLREC_IT_ESL_PASSWORD ?? 'ClueCon';
const CONF = env.CALLREC_IT_FS_CONF ?? '/usr/local/freeswitch/conf';
const SOUNDS = env.CALLREC_IT_FS_SOUNDS ?? '/usr/local/freeswitch/sounds';
// A directory of this run's own under the one the variable names (removed afterwards): every
// controller start reconciles the recordings root, and earlier runs' files would be its orphans.
const RECORDINGS = path.join(
  env.CALLREC_IT_FS_RECORDINGS ?? '/usr/local/freeswitch/recordings/callrec-it',
  `freeswitch-acceptance-${process.pid}`,
);
const LISTEN_PORT = env.CALLREC_IT_ESL_LISTEN_PORT ?? '18084';
const describeIf = HOST ? describe : describe.skip;
if (!HOST)
  console.info(
    'test/realpbx/freeswitch-acceptance: skipped (set CALLREC_IT_ESL_HOST and CALLREC_IT_FS_CONF, CALLREC_IT_FS_SOUNDS, CALLREC_IT_FS_RECORDINGS to run)',
  );

const CTX = 'callrec-it';
const NODE = `it-fs-${process.pid}`;
const CALLER = '2125550123';

const RULES = acc.SUITE_RULES;

// scenario -> [applet, agent]: the agent answers and plays a tone for 4 s (agent) or 9 s (agent-long),
// or 33 s of silence (agent-quiet, as a phone streams it: room for three beeps, 15 s apart).
const GATED: Record<string, [string, string]> = {
  ...acc.GATED_COMMON,
  stereo: ['stereo', 'agent'],
  kill: ['pause', 'agent-long'],
};

// scenario -> the DID a caller dials: New York numbers, but for stereo, dialed in California
// (all-party consent), so its `consent: none` is raised to an announcement.
const DIDS: Record<string, string> = acc.didsFor(GATED, (name) => (name === 'stereo' ? '415' : '212'));

/**
 * An applet point as an admin writes it: the snippet's variables, the gate, then the bridge to
 * `agent` in `ctx` (or to `target`, a bridge string of its own: a ring group).
 */
function gatedExtension(
  name: string,
  exten: string,
  applet: string,
  agent: string,
  ctx: string,
  sets: string[] = [],
  target = `{loopback_bowout=false}loopback/${agent}/${ctx}`,
): string {
  return `
    <extension name="${name}">
      <condition field="destination_number" expression="^${exten}$">
        <action application="set" data="callrec_flow=it"/>
        <action application="set" data="callrec_applet=${applet}"/>${sets
          .map(
            (v) => `
        <action application="set" data="${v}"/>`,
          )
          .join('')}
        <action application="execute_extension" data="callrec_gate XML callrec"/>
        <action application="bridge" data="${target}"/>
      </condition>
    </extension>`;
}

/** An agent who answers and plays `plays` (a tone, or silence as a phone streams it). */
function agentExtension(name: string, exten: string, plays: string): string {
  return `
    <extension name="${name}">
      <condition field="destination_number" expression="^${exten}$">
        <action application="answer"/>
        <action application="set" data="playback_terminators=none"/>
        <action application="playback" data="${plays}"/>
        <action application="hangup"/>
      </condition>
    </extension>`;
}

/** The test's own context: what an admin's applet point looks like, plus agents. */
function itContext(): string {
  const gated = Object.entries(GATED)
    .map(([name, [applet, agent]]) =>
      gatedExtension(`it-${name}`, DIDS[name] ?? '', applet, agent, CTX, ['callrec_to=${destination_number}']),
    )
    .join('');
  const agent = (name: string, plays: string) => agentExtension(`it-${name}`, name, plays);
  const tone = (seconds: number) => `tone_stream://L=${seconds};%(1000,0,440)`;
  return `<include>\n  <context name="${CTX}">${gated}${agent('agent', tone(4))}${agent('agent-long', tone(9))}${agent('agent-quiet', 'silence_stream://33000')}\n  </context>\n</include>\n`;
}

describeIf('callrec on a real FreeSWITCH 1.10 (acceptance)', () => {
  let esl: EslSession;
  let dbDir: string;
  let installed: ReturnType<typeof acc.snapshotFiles> | null = null;
  const switchEvents: EslEvent[] = [];
  const itFile = path.join(CONF, 'dialplan', 'callrec-it.xml');
  const dbUrl = () => `sqlite:${path.join(dbDir, 'callrec.sqlite3')}`;
  const suite = new acc.AcceptanceSuite(NODE, RECORDINGS, {
    pbx: 'ESL',
    config: acc.suiteConfig(NODE, dbUrl, RECORDINGS, {
      CALLREC_PBX: 'freeswitch',
      CALLREC_ESL_HOST: HOST ?? '',
      CALLREC_ESL_PORT: PORT,
      CALLREC_ESL_PASSWORD: PASSWORD,
      CALLREC_ESL_LISTEN_PORT: LISTEN_PORT,
      CALLREC_ESL_SOUNDS_DIR: SOUNDS,
    }),
  });
  const { figures, ev, settled, checkFile } = suite;
  const start = (extra: Record<string, string> = {}) => suite.start(extra);
  const stop = () => suite.stop();

  async function api(command: string): Promise<string> {
    const r = await esl.api(command, 10000);
    if (!r.ok) throw new Error(`${command}: ${r.error.detail}`);
    return r.value;
  }

  /** A caller dialing the scenario's DID over loopback; its other leg (the gated channel) runs the applet. Returns the caller's uuid. */
  async function originate(scenario: string): Promise<string> {
    const uuid = crypto.randomUUID();
    const r = await esl.bgapi(
      `originate {origination_uuid=${uuid},loopback_bowout=false,origination_caller_id_number=${CALLER}}loopback/${DIDS[scenario]}/${CTX} &park`,
      10000,
    );
    if (!r.ok) throw new Error(`originate: ${r.error.detail}`);
    return uuid;
  }

  /** The scenario's call in the gate, and its caller's uuid (to press keys or hang up). */
  async function callerAndGate(scenario: string) {
    let caller = '';
    const gate = await gatedCall(suite, async () => {
      caller = await originate(scenario);
    });
    return { caller, gate };
  }

  const switchSaw = (name: string, uuid: string, from = 0) =>
    switchEvents.slice(from).find((e) => e.name === name && e.headers['Unique-ID'] === uuid);

  beforeAll(async () => {
    dbDir = fs.mkdtempSync(path.join(os.tmpdir(), 'callrec-it-fs-'));
    fs.mkdirSync(RECORDINGS, { recursive: true });
    installed = acc.snapshotFiles([CONF, SOUNDS], [CONF]);
    const install = await runCli(
      ['install', 'freeswitch', '--conf', CONF, '--sounds', SOUNDS, '--recordings', RECORDINGS],
      { CALLREC_FALLBACK: 'announce-and-record', CALLREC_ESL_LISTEN_PORT: LISTEN_PORT, CALLREC_ESL_SOUNDS_DIR: SOUNDS },
    );
    if (install.code !== 0) throw new Error(install.err.join('\n'));
    fs.writeFileSync(itFile, itContext());
    const s = await EslSession.connect({
      host: HOST ?? '',
      port: Number(PORT),
      password: PASSWORD,
      logger: silentLogger(),
    });
    if (!s.ok) throw new Error(s.error.detail);
    esl = s.value;
    esl.onEvent((e) => switchEvents.push(e));
    const sub = await esl.subscribe([
      'CHANNEL_ANSWER',
      'CHANNEL_BRIDGE',
      'CHANNEL_HANGUP',
      'CHANNEL_DESTROY',
      'RECORD_START',
      'RECORD_STOP',
      'DTMF',
      'PLAYBACK_START',
    ]);
    if (!sub.ok) throw new Error(sub.error.detail);
    expect(await api('reloadxml')).toMatch(/\+OK/);
    await acc.importRules((await start()).store, RULES, 'it.yaml');
  }, 60000);

  suite.keepRunning();

  afterAll(async () => {
    await suite.finish();
    if (fs.existsSync(itFile)) fs.unlinkSync(itFile);
    // Leave the switch as it was: callrec's files out, the admin's files back, the XML reloaded.
    installed?.restore();
    if (esl) {
      await esl.api('reloadxml');
      esl.close();
    }
    console.info(`freeswitch acceptance figures:\n${JSON.stringify(figures, null, 1)}`);
  });

  it.each([
    ['ringing', null, 'announced', 1],
    ['answer', null, 'announced', 1],
    ['optin', '1', 'accepted', 1],
    ['optout', null, 'announced', 1],
    // consent none, raised to an announcement: the stereo DID is in California (all-party consent)
    ['stereo', null, 'announced', 2],
  ])(
    '%s (digit %s): greeting played, recorded, completed row matches the WAV',
    async (exten, digit, outcome, channels) => {
      const sw = switchEvents.length;
      const { caller, gate } = await callerAndGate(exten);
      expect(gate.facts).toMatchObject({ flow: 'it', applet: GATED[exten]?.[0], from: CALLER, to: DIDS[exten] });
      if (digit) {
        await sleep(1000);
        expect(await api(`uuid_send_dtmf ${caller} ${digit}`)).toMatch(/\+OK/);
      }
      // What the caller hears, recorded on the caller's own leg.
      const heard = path.join(RECORDINGS, `heard-${caller}.wav`);
      if (exten === 'ringing') expect(await api(`uuid_record ${caller} start ${heard}`)).toMatch(/\+OK/);
      const { call, recs, events } = await settled(gate.callId);
      // The switch played our WAV on the gated channel (a digit may have cut it short)...
      expect(
        switchEvents
          .slice(sw)
          .some(
            (e) =>
              e.name === 'PLAYBACK_START' &&
              e.headers['Unique-ID'] === gate.callId &&
              /callrec\/(announce|opt-in|opt-out)\.wav$/.test(e.headers['Playback-File-Path'] ?? ''),
          ),
      ).toBe(true);
      if (exten === 'ringing') {
        // ...and the caller heard it: speech in the first 3 s, before any agent.
        await waitFor(() => switchSaw('RECORD_STOP', caller, sw), 5000, 'caller recording closed');
        figures.greetingHeardRms = acc.channelRms(heard, 0, 3);
        expect(figures.greetingHeardRms).toBeGreaterThan(0.01);
      }
      expect(call).toMatchObject({ state: 'done', consentOutcome: outcome, applet: GATED[exten]?.[0] });
      expect(recs).toHaveLength(1);
      const wav = checkFile(recs[0] as never, exten);
      const file = fileOf(recs[0] as never, RECORDINGS);
      expect(soxi('-c', file)).toBe(channels);
      if (channels === 2) {
        // Left: what the switch reads from the caller's channel (a parked caller: nothing); right: what
        // it writes to it (the agent's tone).
        const [left, right] = [acc.channelRms(file, 0.5, 3, 1), acc.channelRms(file, 0.5, 3, 2)];
        figures.stereoRms = { left, right };
        expect(right).toBeGreaterThan(0.05);
        expect(left).toBeLessThan(right / 10);
      }
      // The agent plays 4 s of tone: the file holds about that (loopback agents answer at once).
      expect(wav).toBeGreaterThan(3.5);
      expect(wav).toBeLessThan(5.5);
      // From ringing: the recorder starts before the agent answers; from answer: after.
      const started = switchSaw('RECORD_START', gate.callId, sw);
      const answered = switchSaw('CHANNEL_ANSWER', gate.callId, sw);
      expect(started && answered).toBeTruthy();
      const seq = (e: EslEvent | undefined) => Number(e?.headers['Event-Sequence']);
      expect(seq(started) < seq(answered)).toBe(GATED[exten]?.[0] === 'ringing');
      expect(events.map((e) => e.type)).toEqual(
        expect.arrayContaining(['decided', 'released', 'started', 'hangup', 'completed']),
      );
    },
    40000,
  );

  // beep: true on FreeSWITCH (beep.ts): a 700 Hz burst every 15 s in the file, and both parties
  // hear it (each leg's own recording: what the switch writes to it). The agent streams silence as
  // a phone does: the tone toward the caller advances only on audio written to the caller's channel.
  it('beep: a tone burst every 15 s in the recording, heard by the caller and by the agent', async () => {
    const sw = switchEvents.length;
    let caller = '';
    const gate = await gatedCall(suite, async () => {
      caller = await originate('beep');
    });
    const callerHeard = path.join(RECORDINGS, `heard-${caller}.wav`);
    expect(await api(`uuid_record ${caller} start ${callerHeard}`)).toMatch(/\+OK/);
    const bridged = await waitFor(() => switchSaw('CHANNEL_BRIDGE', gate.callId, sw), 15000, 'bridged');
    const agentLeg = bridged.headers['Other-Leg-Unique-ID'] ?? '';
    const agentHeard = path.join(RECORDINGS, `heard-${agentLeg}.wav`);
    expect(await api(`uuid_record ${agentLeg} start ${agentHeard}`)).toMatch(/\+OK/);
    const { recs } = await settled(gate.callId, 60000);
    expect(recs).toHaveLength(1);
    const seconds = checkFile(recs[0] as never, 'beep');
    await waitFor(
      () => switchSaw('RECORD_STOP', caller, sw) && switchSaw('RECORD_STOP', agentLeg, sw),
      5000,
      "the legs' recordings closed",
    );
    const found = acc.beepBursts(
      figures,
      { file: fileOf(recs[0] as never, RECORDINGS), caller: callerHeard, agent: agentHeard },
      seconds,
    );
    for (const [who, bursts] of Object.entries(found)) {
      // 33 s of call: beeps at about 0, 15 and 30 s, each about the tone's 0.4 s.
      expect({ who, count: bursts.length }).toEqual({ who, count: 3 });
      // The file's beep is the switch's own clock; what a leg heard is recorded from its audio,
      // which runs late on a loaded switch (seen: 15.56 s between two bursts the caller heard).
      for (const gap of intervals(bursts)) expect(Math.abs(gap - 15)).toBeLessThan(who === 'file' ? 0.25 : 1);
      for (const b of bursts) expect(b.seconds).toBeGreaterThan(0.3);
      for (const b of bursts) expect(b.seconds).toBeLessThan(0.6);
    }
    // The first as the recording starts (at answer: from-answer).
    expect(found.file[0]?.at).toBeLessThan(1);
  }, 70000);

  it.each(acc.declineCases('2', '9'))(
    '%s with %s: no recording (%s)',
    async (exten, digit, outcome) => {
      const sw = switchEvents.length;
      const { caller, gate } = await callerAndGate(exten);
      await sleep(1000);
      expect(await api(`uuid_send_dtmf ${caller} ${digit}`)).toMatch(/\+OK/);
      const { call, recs } = await settled(gate.callId);
      expect(call).toMatchObject({ state: 'not_recorded', consentOutcome: outcome });
      expect(recs).toHaveLength(0);
      expect(switchSaw('RECORD_START', gate.callId, sw)).toBeUndefined();
    },
    40000,
  );

  it('caller hanging up during the greeting: stored as such, no recording', async () => {
    const sw = switchEvents.length;
    const { gate } = await callerAndGate('ringing');
    await sleep(1200); // into the 3.9 s announcement
    // The gated channel itself hangs up, as a caller's own inbound leg does. Killing the loopback's
    // other half instead is not a hangup the gated half sees: its playback just stops, the socket
    // returns and its dialplan runs on until the bridge fails, so the gate saw a prompt that failed
    // (fallback) in about one run in three.
    await api(`uuid_kill ${gate.callId}`);
    const { call, recs } = await settled(gate.callId);
    expect(call).toMatchObject({ state: 'not_recorded', consentOutcome: 'hung-up' });
    expect(recs).toHaveLength(0);
    expect(switchSaw('RECORD_START', gate.callId, sw)).toBeUndefined();
  }, 30000);

  const pauseResume = (mode: PauseMode) =>
    acc.pauseResumeScenario(suite, { mode, place: () => originate('pause'), answered: 'CallAnswered', tolerance: 0.6 });

  it('pause/resume with silence (uuid_record mask/unmask): the file keeps the paused time', async () => {
    await pauseResume('silence');
  }, 40000);

  it('pause/resume by skipping (uuid_record pause/resume): the file leaves it out', async () => {
    await stop();
    await start({ CALLREC_PAUSE_MODE: 'skip' });
    await pauseResume('skip');
    await stop();
    await start();
  }, 60000);

  it("feature codes: the caller's *48 pauses, the agent's *49 resumes, each confirmed to the presser", async () => {
    const sw = switchEvents.length;
    const gate = await gatedCall(suite, () => originate('pause'));
    await waitFor(() => ev(gate.callId, 'RecordingStarted')[0], 15000, 'recording started');
    const bridged = await waitFor(() => switchSaw('CHANNEL_BRIDGE', gate.callId, sw), 5000, 'bridged');
    const agentLeg = bridged.headers['Other-Leg-Unique-ID'] ?? '';
    await sleep(1000);
    // As a phone's DTMF arrives on a channel (uuid_send_dtmf marks its digits not to be processed).
    expect(await api(`uuid_recv_dtmf ${gate.callId} ~*48`)).toMatch(/\+OK/);
    await waitFor(() => ev(gate.callId, 'FeatureRequested').find((e) => e.action === 'pause'), 5000, '*48');
    await sleep(2500);
    expect(await api(`uuid_recv_dtmf ${agentLeg} ~*49`)).toMatch(/\+OK/);
    await waitFor(() => ev(gate.callId, 'FeatureRequested').find((e) => e.action === 'resume'), 5000, '*49');
    const { recs, events } = await settled(gate.callId);
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['paused', 'resumed']));
    const rec = recs[0] as never as { pausedMs: number; filePath: string; durationMs: number | null; state: string };
    expect(rec.pausedMs).toBeGreaterThan(2000);
    checkFile(rec, 'feature-codes');
    figures['feature-codes'] = { ...(figures['feature-codes'] as object), pausedMs: rec.pausedMs };
    const played = (uuid: string) =>
      switchEvents
        .slice(sw)
        .filter((e) => e.name === 'PLAYBACK_START' && e.headers['Unique-ID'] === uuid)
        .map((e) => path.basename(e.headers['Playback-File-Path'] ?? ''));
    expect(played(gate.callId)).toContain('paused.wav');
    expect(played(agentLeg)).toContain('resumed.wav');
  }, 40000);

  it.each([
    ['restarted while the call goes on: adopted, finalized on RECORD_STOP', true],
    ['restarted after the call ended: completed from the file', false],
  ])(
    'killing the controller mid-call loses nothing (%s)',
    async (_name, restartDuringCall) => {
      const sw = switchEvents.length;
      const gate = await gatedCall(suite, () => originate('kill'));
      await waitFor(() => ev(gate.callId, 'RecordingStarted')[0], 15000, 'recording started');
      const c = suite.controller();
      const row = await waitFor(() => c.store.calls.findByPbxId(NODE, gate.callId), 5000, 'call row');
      await sleep(1000);
      await stop();
      if (!restartDuringCall) await waitFor(() => switchSaw('CHANNEL_DESTROY', gate.callId, sw), 20000, 'call ended');
      else await sleep(1000);
      // The call went on without us: the switch kept recording.
      expect(switchSaw('RECORD_STOP', gate.callId, sw) === undefined).toBe(restartDuringCall);
      const t0 = Date.now();
      await start();
      const { call, recs } = await settled(gate.callId);
      figures[`kill-${restartDuringCall ? 'during' : 'after'}-settledAfterRestartMs`] = Date.now() - t0;
      expect(call.id).toBe(row.id);
      expect(call.state).toBe('done');
      expect(recs).toHaveLength(1);
      expect(checkFile(recs[0] as never, `kill-${restartDuringCall ? 'during' : 'after'}`)).toBeGreaterThan(8);
    },
    60000,
  );

  /** A call to the fallback scenario's DID (the controller stopped): its uuid once the dialplan's record_session records it. */
  async function fallbackRecording(): Promise<{ uuid: string; sw: number }> {
    const sw = switchEvents.length;
    await originate('fb');
    const started = await waitFor(
      () => switchEvents.slice(sw).find((e) => e.name === 'RECORD_START'),
      15000,
      'fallback record_session',
    );
    return { uuid: started.headers['Unique-ID'] ?? '', sw };
  }

  acc.fallbackAdoptedTest(suite, {
    place: async () => (await fallbackRecording()).uuid,
    // announce-and-record: named by the dialplan in callrec_dir, dialed number included
    file: (uuid) => new RegExp(`^(.*/)?\\d{4}/\\d{2}/\\d{2}/\\d{14}-${CALLER}-${DIDS.fb}-${uuid}\\.wav$`),
    minSeconds: 8,
  });

  // Issue 15 (orphanPurgedScenario).
  acc.orphanPurgedTest(suite, {
    place: async () => {
      const { uuid, sw } = await fallbackRecording();
      await waitFor(() => switchSaw('CHANNEL_HANGUP', uuid, sw), 30000, 'hangup while stopped');
      return uuid;
    },
    call: { fromRaw: CALLER, pbx: 'freeswitch' },
    minSeconds: 8,
    dbUrl,
  });

  // The controller stops while the greeting plays: the socket closes, the switch cuts the prompt
  // and the dialplan goes on at once. An opt-in call had been marked not to be recorded without us
  // (it bridges); an announced one gets the fallback (announcement again, then record_session),
  // which the restarted controller keeps. Events are taken from the moment of the stop by their
  // order on the ESL connection, never by their Event-Date-Timestamp: the switch's clock is read
  // from its timer and runs a few milliseconds behind (seen: an event of 46.7498 s for a
  // socket closed at 46.7550 s by Node's clock), so comparing the two dropped the very event
  // that showed the call going on, and the call looked stuck.
  const stuckCases: Array<[string, string, number]> = [
    ['stuck-optin', 'not_recorded', 0],
    ['stuck-announce', 'done', 1],
  ];
  it.each(stuckCases)(
    '%s: a call in the gate when the controller stops is not stuck: the dialplan applies the fallback',
    async (exten, state, recordings) => {
      const sw = switchEvents.length;
      const gate = await gatedCall(suite, () => originate(exten));
      await waitFor(() => switchSaw('PLAYBACK_START', gate.callId, sw), 5000, 'the gate prompt playing');
      await sleep(1000);
      const atStop = switchEvents.length;
      const t0 = Date.now();
      await stop();
      const next = await waitFor(
        () =>
          switchEvents
            .slice(atStop)
            .find(
              (e) =>
                e.headers['Unique-ID'] === gate.callId && (e.name === 'PLAYBACK_START' || e.name === 'CHANNEL_BRIDGE'),
            ),
        5000,
        'dialplan went on',
      );
      figures[`${exten}-dialplanWentOnAfterStopMs`] = Date.now() - t0;
      expect(next.name).toBe(recordings ? 'PLAYBACK_START' : 'CHANNEL_BRIDGE');
      // The prompt is cut when the socket closes (the fallback does not wait for it to end).
      expect(figures[`${exten}-dialplanWentOnAfterStopMs`]).toBeLessThan(1500);
      await start();
      const { call, recs } = await settled(gate.callId);
      expect(call.state).toBe(state);
      expect(call.fallbackReason).toMatch(/controller was lost/);
      expect(recs).toHaveLength(recordings);
      if (recordings) expect(checkFile(recs[0] as never, exten)).toBeGreaterThan(3.5);
      else expect(switchSaw('RECORD_START', gate.callId, sw)).toBeUndefined();
    },
    60000,
  );
  // Issue 14 (acc.callFactsScenarios): its own context (no callrec_to: the gate learns the dialed
  // number itself) and rules, imported over the suite's.
  describe('call facts', () => {
    const FCTX = 'callrec-it-facts';
    const factsFile = path.join(CONF, 'dialplan', 'callrec-it-facts.xml');
    const FACTS_RULES = `${acc.factsRules(RULES)}${USERS_YAML}`;

    function factsContext(): string {
      const gated = (exten: string, applet: string, agent: string, extra: string[] = []) =>
        gatedExtension(`f-${exten}`, exten, applet, agent, FCTX, extra);
      const agent = (name: string, seconds: number) =>
        agentExtension(`f-agent-${name}`, name, `tone_stream://L=${seconds};%(1000,0,440)`);
      const out = (exten: string, campaign: string) =>
        gated(exten, 'did', 'agent', [
          'callrec_direction=outbound',
          `callrec_campaign=${campaign}`,
          'callrec_agent=201',
        ]);
      // A transfer to "to<number>" bridges the caller to that number (agent 305, or a California number).
      const to = (number: string) => `
    <extension name="f-to${number}">
      <condition field="destination_number" expression="^to${number}$">
        <action application="bridge" data="{loopback_bowout=false}loopback/${number}/${FCTX}"/>
      </condition>
    </extension>`;
      // Issue 21 (moves.ts): users' modes on the on-demand applet, an attended transfer, a transfer to California.
      // A ring group: both legs ring at once (bridge a,b); 202 answers, "never" only rings.
      const ringGroup = `${gatedExtension('f-2125550192', '2125550192', 'did', '', FCTX, [], `{loopback_bowout=false}loopback/never/${FCTX},loopback/202/${FCTX}`)}
    <extension name="f-never">
      <condition field="destination_number" expression="^never$">
        <action application="ring_ready"/>
        <action application="sleep" data="20000"/>
      </condition>
    </extension>`;
      const moves = `${ringGroup}${gated('2125550196', 'ondemand', '202')}${gated('2125550195', 'ondemand', '305')}${gated('2125550194', 'did', '202')}${gated('2125550193', 'did', '202')}${agent('4155550100', 8)}${to('4155550100')}`;
      return (
        `<include>\n  <context name="${FCTX}">${gated('2125550199', 'did', '202')}${gated('2125550198', 'ondemand', 'agent-long')}` +
        `${out('3125550111', 'camp-x')}${out('3125550112', 'camp-y')}${agent('202', 4)}${agent('305', 9)}${agent('agent', 4)}${agent('agent-long', 9)}${to('305')}${moves}\n  </context>\n</include>\n`
      );
    }

    async function originateFrom(exten: string, cid: string): Promise<string> {
      const uuid = crypto.randomUUID();
      const r = await esl.bgapi(
        `originate {origination_uuid=${uuid},loopback_bowout=false,origination_caller_id_number=${cid}}loopback/${exten}/${FCTX} &park`,
        10000,
      );
      if (!r.ok) throw new Error(`originate: ${r.error.detail}`);
      return uuid;
    }

    beforeAll(async () => {
      fs.writeFileSync(factsFile, factsContext());
      expect(await api('reloadxml')).toMatch(/\+OK/);
      await acc.importRules(suite.controller().store, FACTS_RULES, 'facts.yaml');
    });

    afterAll(() => {
      if (fs.existsSync(factsFile)) fs.unlinkSync(factsFile);
    });

    // The switch transfers the answered call (uuid_transfer); the gated channel receives *44 as a phone's keys.
    acc.callFactsScenarios(suite, {
      call: (exten, cid) => originateFrom(exten, cid),
      transferred: async () => {
        const gate = await gatedCall(suite, () => originateFrom('2125550199', CALLER));
        await waitFor(() => ev(gate.callId, 'PartyChanged')[0], 15000, 'agent answered');
        await sleep(1000);
        expect(await api(`uuid_transfer ${gate.callId} to305 XML ${FCTX}`)).toMatch(/\+OK/);
        return gate;
      },
      onDemand: async (cid) => {
        const gate = await gatedCall(suite, () => originateFrom('2125550198', cid));
        await waitFor(() => ev(gate.callId, 'PartyChanged')[0], 20000, 'agent answered');
        await sleep(3000);
        expect(await api(`uuid_recv_dtmf ${gate.callId} ~*44`)).toMatch(/\+OK/);
        return gate;
      },
    });

    /** A call to `exten` once its agent answered (its bridge reported). */
    async function answered(exten: string): Promise<Awaited<ReturnType<typeof gatedCall>>> {
      const gate = await gatedCall(suite, () => originateFrom(exten, CALLER));
      await waitFor(() => ev(gate.callId, 'PartyChanged')[0], 20000, 'agent answered');
      return gate;
    }

    // The switch moves the calls over ESL: uuid_bridge to the agent's consultation call (attended),
    // uuid_transfer of the caller (blind), uuid_recv_dtmf for the caller's *44.
    moveScenarios(suite, {
      onDemandBy202: () => answered('2125550196'),
      onDemandBy305WithStar44: async () => {
        const gate = await answered('2125550195');
        await sleep(3000);
        expect(await api(`uuid_recv_dtmf ${gate.callId} ~*44`)).toMatch(/\+OK/);
        return gate;
      },
      attended: async () => {
        const gate = await answered('2125550194');
        // The agent consults 305 on a second call, then completes: the switch bridges the caller
        // to that call (uuid_bridge, what it does for a phone's REFER with Replaces).
        const consult = crypto.randomUUID();
        const r = await esl.bgapi(
          `originate {origination_uuid=${consult},loopback_bowout=false,origination_caller_id_number=202}loopback/305/${FCTX} &park`,
          10000,
        );
        if (!r.ok) throw new Error(`originate: ${r.error.detail}`);
        await sleep(1000);
        expect(await api(`uuid_bridge ${gate.callId} ${consult}`)).toMatch(/\+OK/);
        return gate;
      },
      toCalifornia: async () => {
        const gate = await answered('2125550193');
        await sleep(1000);
        expect(await api(`uuid_transfer ${gate.callId} to4155550100 XML ${FCTX}`)).toMatch(/\+OK/);
        return gate;
      },
      queue: () => answered('2125550192'),
    });
  });
});
