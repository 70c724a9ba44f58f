// Acceptance on a real Asterisk 22 (issue 4, "Done when"): the real controller, the installed
// dialplan, Local channels originated over AMI. Runs when CALLREC_IT_ARI_URL is set:
//   CALLREC_IT_ARI_URL (http://127.0.0.1:8088), CALLREC_IT_ARI_USER, CALLREC_IT_ARI_PASSWORD
//   CALLREC_IT_AMI_HOST (127.0.0.1), CALLREC_IT_AMI_PORT, CALLREC_IT_AMI_USER, CALLREC_IT_AMI_SECRET
//   CALLREC_IT_ASTERISK_ETC, CALLREC_IT_ASTERISK_SOUNDS: where `callrec install asterisk` writes
//   CALLREC_IT_ASTERISK_RECORDINGS (or CALLREC_IT_RECORDINGS): a directory Asterisk writes and this process reads (the fallback's CALLREC_DIR too)
// The test context is added over AMI (DialplanExtensionAdd): no PBX file is edited by hand. Run
// the realpbx suites one at a time (`npx jest -i test/realpbx`): asterisk-dialplan reloads the dialplan.
// Figures measured along the way are printed at the end.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PauseMode } from '../../controller/src/domain/vocabulary';
import { AmiClient, type AmiEvent } from '../../controller/src/pbx/asterisk/ami';
import { AriHttp } from '../../controller/src/pbx/asterisk/ari-http';
import { openBuffer, unwrapKey } from '../../controller/src/recordings/crypto';
import { masterKeyId } from '../../controller/src/recordings/keyring';
import { silentLogger } from '../../controller/src/util/logger';
import { moveScenarios, USERS_YAML } from './moves';
import * as acc from './acceptance';
import { gatedCall, sleep, waitFor, fileOf, soxi } from './acceptance';
import { runCli } from '../helpers/cli';
import { intervals } from '../helpers/tone-bursts';

const env = process.env;
const ARI_URL = env.CALLREC_IT_ARI_URL;
const describeIf = ARI_URL ? describe : describe.skip;
if (!ARI_URL)
  console.info(
    'test/realpbx/asterisk-acceptance: skipped (set CALLREC_IT_ARI_URL and CALLREC_IT_AMI_HOST, CALLREC_IT_ASTERISK_ETC, CALLREC_IT_ASTERISK_SOUNDS, CALLREC_IT_RECORDINGS to run)',
  );

// CALLREC_IT_RECORDINGS is what the test-PBX start script prints for Asterisk; the FreeSWITCH suites read their own.
// A directory of this run's own under the one the variable names (removed afterwards): every
// controller start reconciles the recordings root, and earlier runs' files would be its orphans.
const RECORDINGS = path.join(
  env.CALLREC_IT_ASTERISK_RECORDINGS ?? env.CALLREC_IT_RECORDINGS ?? '/var/spool/asterisk/callrec-it',
  `asterisk-acceptance-${process.pid}`,
);
const ETC = env.CALLREC_IT_ASTERISK_ETC ?? '/etc/asterisk';
const SOUNDS = env.CALLREC_IT_ASTERISK_SOUNDS ?? '/var/lib/asterisk/sounds';
const APP = 'callrec-it';
const CTX = 'callrec-it-acc';
const CALLER = 'callrec-it-acc-caller';
const NODE = `it-${process.pid}`;

const RULES = acc.SUITE_RULES;

// scenario -> [applet, agent]: the agent answers and plays music (a steady audio source) for 4 or 9 s,
// or 33 s of silence (agent-quiet: room for three beeps, 15 s apart).
const GATED: Record<string, [string, string]> = { ...acc.GATED_COMMON };

// scenario -> the DID a caller dials: an admin's ordinary inbound extensions (New York numbers).
const DIDS: Record<string, string> = acc.didsFor(GATED);

describeIf('callrec on a real Asterisk 22 (acceptance)', () => {
  let ami: AmiClient;
  let ari: AriHttp;
  let dbDir: string;
  let installed: ReturnType<typeof acc.snapshotFiles> | null = null;
  const amiEvents: AmiEvent[] = [];
  const dbUrl = () => `sqlite:${path.join(dbDir, 'callrec.sqlite3')}`;
  const suite = new acc.AcceptanceSuite(NODE, RECORDINGS, {
    pbx: 'ARI',
    config: acc.suiteConfig(NODE, dbUrl, RECORDINGS, {
      CALLREC_ARI_URL: ARI_URL ?? '',
      CALLREC_ARI_USER: env.CALLREC_IT_ARI_USER ?? 'callrec',
      CALLREC_ARI_PASSWORD: env.CALLREC_IT_ARI_PASSWORD ?? 'callrec',
      CALLREC_ARI_APP: APP,
      CALLREC_AMI_HOST: env.CALLREC_IT_AMI_HOST ?? '127.0.0.1',
      CALLREC_AMI_PORT: env.CALLREC_IT_AMI_PORT ?? '5038',
      CALLREC_AMI_USER: env.CALLREC_IT_AMI_USER ?? 'callrec',
      CALLREC_AMI_SECRET: env.CALLREC_IT_AMI_SECRET ?? 'callrec',
    }),
  });
  const { figures, ev, settled, checkFile } = suite;
  const start = (extra: Record<string, string> = {}) => suite.start(extra);
  const stop = () => suite.stop();

  async function amiSend(action: string, fields: Record<string, string>): Promise<void> {
    const r = await ami.send(action, fields);
    if (!r.ok) throw new Error(`${action}: ${r.error.detail}`);
  }

  /** A caller dialing the scenario's DID in CTX; its ;1 half waits, or runs <callerExten>@CALLER once answered. */
  async function originate(scenario: string, callerExten?: string): Promise<void> {
    const target: Record<string, string> = callerExten
      ? { Context: CALLER, Exten: callerExten, Priority: '1' }
      : { Application: 'Wait', Data: '60' };
    await amiSend('Originate', {
      Channel: `Local/${DIDS[scenario]}@${CTX}/n`,
      CallerID: '"IT" <2125550123>',
      Timeout: '30000',
      Async: 'true',
      ...target,
    });
  }

  async function addExten(context: string, exten: string, steps: string[]): Promise<void> {
    for (const [i, app] of steps.entries()) {
      const open = app.indexOf('(');
      await amiSend('DialplanExtensionAdd', {
        Context: context,
        Extension: exten,
        Priority: String(i + 1),
        Application: app.slice(0, open),
        ApplicationData: app.slice(open + 1, -1),
        Replace: 'yes',
      });
    }
  }

  const nextGate = (scenario: string, callerExten?: string) => gatedCall(suite, () => originate(scenario, callerExten));

  beforeAll(async () => {
    dbDir = fs.mkdtempSync(path.join(os.tmpdir(), 'callrec-it-acc-'));
    fs.mkdirSync(RECORDINGS, { recursive: true });
    installed = acc.snapshotFiles([ETC, SOUNDS], [ETC]);
    // Installed as the README says; the Stasis app's name comes from the install (CALLREC_ARI_APP).
    const install = await runCli(
      ['install', 'asterisk', '--etc', ETC, '--sounds', SOUNDS, '--recordings', RECORDINGS],
      { CALLREC_FALLBACK: 'announce-and-record', CALLREC_ARI_APP: APP },
    );
    if (install.code !== 0) throw new Error(install.err.join('\n'));
    ari = new AriHttp(ARI_URL ?? '', env.CALLREC_IT_ARI_USER ?? 'callrec', env.CALLREC_IT_ARI_PASSWORD ?? 'callrec');
    ami = new AmiClient({
      host: env.CALLREC_IT_AMI_HOST ?? '127.0.0.1',
      port: Number(env.CALLREC_IT_AMI_PORT ?? 5038),
      user: env.CALLREC_IT_AMI_USER ?? 'callrec',
      secret: env.CALLREC_IT_AMI_SECRET ?? 'callrec',
      logger: silentLogger(),
    });
    ami.onEvent((e) => amiEvents.push(e));
    ami.start();
    await waitFor(() => ami.status() === 'connected', 5000, 'AMI connected');
    await amiSend('Command', { Command: 'dialplan reload' });
    await amiSend('Command', { Command: 'module reload features' });
    // The admin's inbound route: each DID runs the gate at its applet, then dials its agent.
    for (const [name, [applet, agent]] of Object.entries(GATED)) {
      await addExten(CTX, DIDS[name] as string, [
        `Gosub(callrec-gate,s,1(it,${applet}))`,
        `Dial(Local/${agent}@${CTX}/n,20)`,
        'Hangup()',
      ]);
    }
    await addExten(CTX, 'agent', ['Answer()', 'MusicOnHold(default,4)', 'Hangup()']);
    await addExten(CTX, 'agent-long', ['Answer()', 'MusicOnHold(default,9)', 'Hangup()']);
    // Silence played, not Wait(): a Local channel that plays nothing carries no frames at all, and
    // MixMonitor then writes nothing (nor does the periodic beep run, both hang on frames).
    await addExten(CTX, 'agent-quiet', [
      'Answer()',
      'Playback(silence/10&silence/10&silence/10&silence/3)',
      'Hangup()',
    ]);
    for (const digit of ['1', '2', '9'])
      await addExten(CALLER, `press${digit}`, ['Wait(1)', `SendDTMF(${digit})`, 'Wait(60)']);

    await acc.importRules((await start()).store, RULES, 'it.yaml');
  }, 60000);

  suite.keepRunning();

  afterAll(async () => {
    await suite.finish();
    // Leave the PBX as it was: callrec's files out, the admin's files back, the dialplan reloaded.
    installed?.restore();
    if (ami?.status() === 'connected') {
      await ami.send('Command', { Command: 'dialplan reload' });
      await ami.send('Command', { Command: 'module reload features' });
    }
    await ami?.stop();
    ari?.close();
    console.info(`asterisk acceptance figures:\n${JSON.stringify(figures, null, 1)}`);
  });

  it.each([
    ['ringing', undefined, 'announced'],
    ['answer', undefined, 'announced'],
    ['optin', 'press1', 'accepted'],
    ['optout', undefined, 'announced'],
  ])(
    '%s (%s): greeting played, recorded, completed row matches the WAV',
    async (exten, caller, outcome) => {
      const gate = await nextGate(exten, caller);
      const { call, recs, events } = await settled(gate.callId);
      expect(ev(gate.callId, 'PromptFinished').length).toBeGreaterThanOrEqual(1);
      expect(call).toMatchObject({ state: 'done', consentOutcome: outcome, applet: GATED[exten]?.[0] });
      expect(recs).toHaveLength(1);
      const wav = checkFile(recs[0] as never, exten);
      // The agent plays 4 s of music: from-answer holds about that, from-ringing a little more.
      expect(wav).toBeGreaterThan(3.5);
      expect(events.map((e) => e.type)).toEqual(
        expect.arrayContaining(['decided', 'released', 'started', 'hangup', 'completed']),
      );
    },
    40000,
  );

  // beep: true on Asterisk is MixMonitor's B(15) (mixmonitor-options.ts): its periodic hook has
  // ChanSpy barge the `beep` sound (about 700 Hz) into the call every 15 s. What each party hears is
  // recorded on its own Local half (a MixMonitor of ours on the half facing it). Measured on 22.10.1:
  // the recorded channel's party hears it; the recording does not hold it (the hook's whisper is
  // mixed in after MixMonitor took the frame), nor did the agent's Local half hear it. The contract
  // suite marks the file's beep as Asterisk's known gap: this fails when that changes.
  it("beep: the caller hears a tone burst every 15 s; MixMonitor's own file does not hold it", async () => {
    const gate = await nextGate('beep');
    const ch = await ari.request('GET', `/channels/${gate.callId}`);
    const callerHalf = (ch.ok ? (ch.value as { name: string }).name : '').replace(/;2$/, ';1');
    const heard = (who: string) => path.join(RECORDINGS, `heard-${who}-${gate.callId}.wav`);
    await amiSend('MixMonitor', { Channel: callerHalf, File: heard('caller') });
    const party = await waitFor(() => ev(gate.callId, 'PartyChanged')[0], 15000, 'agent answered');
    await amiSend('MixMonitor', { Channel: (party.party ?? '').replace(/;1$/, ';2'), File: heard('agent') });
    const { recs } = await settled(gate.callId, 60000);
    expect(recs).toHaveLength(1);
    const seconds = checkFile(recs[0] as never, 'beep');
    const found = acc.beepBursts(
      figures,
      { file: fileOf(recs[0] as never, RECORDINGS), caller: heard('caller'), agent: heard('agent') },
      seconds,
    );
    // 33 s of call: beeps at about 0, 15 and 30 s. The hook runs on the clock, the heard file's
    // timeline on the frames it got: on the loaded 2-core box they drifted 0.6 s apart once.
    expect(found.caller).toHaveLength(3);
    for (const gap of intervals(found.caller)) expect(Math.abs(gap - 15)).toBeLessThan(1);
    expect(found.file).toEqual([]);
  }, 70000);

  it.each(acc.declineCases('press2', 'press9'))(
    '%s with %s: no recording (%s)',
    async (exten, caller, outcome) => {
      const gate = await nextGate(exten, caller);
      const { call, recs } = await settled(gate.callId);
      expect(call).toMatchObject({ state: 'not_recorded', consentOutcome: outcome });
      expect(recs).toHaveLength(0);
      expect(amiEvents.some((e) => e.type === 'MixMonitorStart' && e.uniqueId === gate.callId)).toBe(false);
    },
    40000,
  );

  it('caller hanging up during the greeting: stored as such, no recording', async () => {
    const gate = await nextGate('ringing');
    await sleep(1200); // into the 3.9 s announcement
    const ch = await ari.request('GET', `/channels/${gate.callId}`);
    const name = (ch.ok ? (ch.value as { name: string }).name : '').replace(/;2$/, ';1');
    await amiSend('Hangup', { Channel: name });
    const { call, recs } = await settled(gate.callId);
    expect(call).toMatchObject({ state: 'not_recorded', consentOutcome: 'hung-up' });
    expect(recs).toHaveLength(0);
  }, 30000);

  // Skip's file also misses the AMI round trips of the stop and the restart (0.7 s seen at load 14):
  // still far from the 3 s that silence keeps.
  const pauseResume = (mode: PauseMode) =>
    acc.pauseResumeScenario(suite, {
      mode,
      place: () => originate('pause'),
      answered: 'PartyChanged',
      tolerance: mode === 'silence' ? 0.6 : 1.0,
    });

  it('pause/resume with silence (MixMonitorMute): the file keeps the paused time', async () => {
    await pauseResume('silence');
    expect(amiEvents.some((e) => e.type === 'MixMonitorMute' && e.muted)).toBe(true);
  }, 40000);

  it('pause/resume by skipping (StopMixMonitor + MixMonitor a): the file leaves it out', async () => {
    await stop();
    await start({ CALLREC_PAUSE_MODE: 'skip' });
    await pauseResume('skip');
  }, 60000);

  /** A call to the fallback scenario's DID (the controller stopped): its id once the dialplan's MixMonitor records it. */
  async function fallbackRecording(): Promise<{ callId: string; from: number }> {
    const from = amiEvents.length;
    await originate('fb');
    const mm = await waitFor(
      () => amiEvents.slice(from).find((e) => e.type === 'MixMonitorStart' && e.channel.includes(`/${DIDS.fb}@${CTX}`)),
      15000,
      'fallback MixMonitor',
    );
    return { callId: mm.uniqueId, from };
  }

  acc.fallbackAdoptedTest(suite, {
    place: async () => (await fallbackRecording()).callId,
    // announce-and-record: the file is named by the dialplan in CALLREC_DIR
    file: (callId) => new RegExp(`-2125550123-.*-${callId.replace('.', '\\.')}\\.wav$`),
    minSeconds: 3,
  });

  acc.orphanPurgedTest(suite, {
    place: async () => {
      const { callId, from } = await fallbackRecording();
      await waitFor(
        () => amiEvents.slice(from).find((e) => e.type === 'Hangup' && e.uniqueId === callId),
        30000,
        'hangup while stopped',
      );
      return callId;
    },
    call: { fromRaw: '2125550123' },
    minSeconds: 3,
    dbUrl,
  });

  // The controller stops while the greeting plays (8 s opt-in question, 3.9 s announcement).
  it.each([
    ['stuck-optin', 'not_recorded', 0],
    ['stuck-announce', 'done', 1],
  ])(
    '%s: a call waiting in the gate when the controller stops is released within 5 s of the restart',
    async (exten, state, recordings) => {
      const gate = await nextGate(exten);
      await sleep(1500);
      await stop();
      await sleep(1000);
      const still = await ari.request('GET', `/channels/${gate.callId}`);
      expect(still.ok && (still.value as { dialplan: { app_name: string } }).dialplan.app_name).toBe('Stasis');
      const t0 = Date.now();
      await start();
      await waitFor(
        async () => {
          const r = await ari.request('GET', `/channels/${gate.callId}`);
          return !r.ok || (r.value as { dialplan: { app_name: string } }).dialplan.app_name !== 'Stasis';
        },
        5000,
        'released from Stasis',
      );
      figures[`${exten}-releasedAfterRestartMs`] = Date.now() - t0;
      const { call, recs } = await settled(gate.callId);
      expect(call.fallbackReason).toMatch(/gate at \(re\)connect/);
      // Opt-in without a yes is never recorded; an interrupted announcement is played again and
      // recorded by the dialplan's fallback, which the controller then finalizes.
      expect(call.state).toBe(state);
      expect(recs).toHaveLength(recordings);
      if (recordings) expect(checkFile(recs[0] as never, exten)).toBeGreaterThan(3.5);
    },
    60000,
  );
  // Issue 14 (acc.callFactsScenarios): its own rules, imported over the suite's, and its own extensions.
  describe('call facts', () => {
    const FACTS_RULES = `${acc.factsRules(RULES)}${USERS_YAML}`;
    const NY = '2125550123';

    async function originateFrom(exten: string, cid: string, callerExten?: string): Promise<void> {
      const target: Record<string, string> = callerExten
        ? { Context: CALLER, Exten: callerExten, Priority: '1' }
        : { Application: 'Wait', Data: '60' };
      await amiSend('Originate', {
        Channel: `Local/${exten}@${CTX}/n`,
        CallerID: `"IT" <${cid}>`,
        Timeout: '30000',
        Async: 'true',
        ...target,
      });
    }

    beforeAll(async () => {
      await acc.importRules(suite.controller().store, FACTS_RULES, 'facts.yaml');
      // A phone answering sends its identity: on a Local agent leg, CONNECTEDLINE does the same.
      await addExten(CTX, 'agent202', [
        'Set(CONNECTEDLINE(num)=202)',
        'Answer()',
        'MusicOnHold(default,4)',
        'Hangup()',
      ]);
      await addExten(CTX, 'agent-long', ['Answer()', 'MusicOnHold(default,9)', 'Hangup()']);
      // Silence played, not Wait(): a Local channel that plays nothing carries no frames at all, and
      // MixMonitor then writes nothing (nor does the periodic beep run, both hang on frames).
      await addExten(CTX, 'agent-quiet', [
        'Answer()',
        'Playback(silence/10&silence/10&silence/10&silence/3)',
        'Hangup()',
      ]);
      await addExten(CTX, '2125550199', [
        'Gosub(callrec-gate,s,1(it,did))',
        `Dial(Local/agent202@${CTX}/n,20)`,
        'Hangup()',
      ]);
      await addExten(CTX, '2125550198', [
        'Gosub(callrec-gate,s,1(it,ondemand))',
        `Dial(Local/agent-long@${CTX}/n,20)`,
        'Hangup()',
      ]);
      for (const [exten, campaign] of [
        ['3125550111', 'camp-x'],
        ['3125550112', 'camp-y'],
      ] as const) {
        await addExten(CTX, exten, [
          `Gosub(callrec-gate,s,1(it,did,outbound,${campaign},201))`,
          `Dial(Local/agent@${CTX}/n,20)`,
          'Hangup()',
        ]);
      }
      await addExten(CALLER, 'star44', ['Wait(3)', 'SendDTMF(*44)', 'Wait(60)']);
      await addExten(CTX, 'agent-quiet', ['Answer()', 'Wait(9)', 'Hangup()']);
      // A blind transfer of a two-party call sends the caller to 305 in the dialplan, which dials agent 305.
      await addExten(CTX, '305', [`Dial(Local/agent305@${CTX}/n,20)`, 'Hangup()']);
      // 8 s: long enough to be bridged to the caller after an attended transfer completes.
      await addExten(CTX, 'agent305', [
        'Set(CONNECTEDLINE(num)=305)',
        'Answer()',
        'MusicOnHold(default,8)',
        'Hangup()',
      ]);
      // Issue 21 (moves.ts): users' modes, an attended transfer, a transfer to California.
      await addExten(CTX, '2125550196', [
        'Gosub(callrec-gate,s,1(it,ondemand))',
        `Dial(Local/agent202@${CTX}/n,20)`,
        'Hangup()',
      ]);
      await addExten(CTX, '2125550195', [
        'Gosub(callrec-gate,s,1(it,ondemand))',
        `Dial(Local/agent305@${CTX}/n,20)`,
        'Hangup()',
      ]);
      // Agent 202 answers, starts an attended transfer (*2, then 305), and hangs up once 305 answered.
      await addExten(CTX, 'agent202a', [
        'Set(CONNECTEDLINE(num)=202)',
        'Answer()',
        'Wait(1.5)',
        'SendDTMF(*2)',
        'Wait(1.5)',
        'SendDTMF(305)',
        'Wait(4)',
        'Hangup()',
      ]);
      // features.conf maps no attended-transfer code by default: the admin's dialplan gives it.
      await addExten(CTX, '2125550194', [
        'Gosub(callrec-gate,s,1(it,did))',
        'Set(FEATURE(inherit)=yes)',
        'Set(FEATUREMAP(atxfer)=*2)',
        `Dial(Local/agent202a@${CTX}/n,20,t)`,
        'Hangup()',
      ]);
      // A blind transfer to a California number, which a trunk answers with its connected line.
      await addExten(CTX, 'agent202ca', [
        'Set(CONNECTEDLINE(num)=202)',
        'Answer()',
        'Wait(1.5)',
        'SendDTMF(#4155550100)',
        'Wait(12)',
        'Hangup()',
      ]);
      await addExten(CTX, '2125550193', [
        'Gosub(callrec-gate,s,1(it,did))',
        `Dial(Local/agent202ca@${CTX}/n,20,t)`,
        'Hangup()',
      ]);
      await addExten(CTX, '4155550100', [`Dial(Local/trunk-ca@${CTX}/n,20)`, 'Hangup()']);
      // A ring-all queue of members named by their extension (as PJSIP/202 would be): 202 answers,
      // agent-never only rings. queues.conf is put back after the suite.
      fs.appendFileSync(
        path.join(ETC, 'queues.conf'),
        `\n[callrec-it-q]\nstrategy = ringall\ntimeout = 15\nmember => Local/202@${CTX}/n\nmember => Local/agent-never@${CTX}/n\n`,
      );
      await addExten(CTX, '202', ['Answer()', 'MusicOnHold(default,4)', 'Hangup()']);
      await amiSend('Command', { Command: 'module reload app_queue.so' });
      await addExten(CTX, 'agent-never', ['Ringing()', 'Wait(20)', 'Hangup()']);
      await addExten(CTX, '2125550192', ['Gosub(callrec-gate,s,1(it,did))', 'Queue(callrec-it-q,t)', 'Hangup()']);
      await addExten(CTX, 'trunk-ca', [
        'Set(CONNECTEDLINE(num)=4155550100)',
        'Answer()',
        'MusicOnHold(default,8)',
        'Hangup()',
      ]);
      // Agent 202 answers, then blind-transfers with the phone's keys (# then 305; Dial option t).
      await addExten(CTX, 'agent202x', [
        'Set(CONNECTEDLINE(num)=202)',
        'Answer()',
        'Wait(1.5)',
        'SendDTMF(#305)',
        'Wait(10)',
        'Hangup()',
      ]);
      await addExten(CTX, '2125550197', [
        'Gosub(callrec-gate,s,1(it,did))',
        `Dial(Local/agent202x@${CTX}/n,20,t)`,
        'Hangup()',
      ]);
      await addExten(CALLER, 'tone', ['PlayTones(440)', 'Wait(60)']);
      for (const [exten, agent] of [
        ['stereo', 'agent-long'],
        ['stereo-quiet', 'agent-quiet'],
      ] as const) {
        await addExten(CTX, exten, [
          'Gosub(callrec-gate,s,1(it,stereo))',
          `Dial(Local/${agent}@${CTX}/n,20)`,
          'Hangup()',
        ]);
      }
    });

    // The agent's phone blind-transfers the call (extension agent202x); the caller presses *44 (star44).
    acc.callFactsScenarios(suite, {
      call: (exten, cid) => originateFrom(exten, cid),
      transferred: () => gatedCall(suite, () => originateFrom('2125550197', NY)),
      onDemand: (cid) => gatedCall(suite, () => originateFrom('2125550198', cid, 'star44')),
    });

    // The agents' phones transfer with their keys (Dial option t; # blind, *2 attended).
    moveScenarios(suite, {
      onDemandBy202: () => gatedCall(suite, () => originateFrom('2125550196', NY)),
      onDemandBy305WithStar44: () => gatedCall(suite, () => originateFrom('2125550195', NY, 'star44')),
      attended: () => gatedCall(suite, () => originateFrom('2125550194', NY)),
      toCalifornia: () => gatedCall(suite, () => originateFrom('2125550193', NY)),
      queue: () => gatedCall(suite, () => originateFrom('2125550192', NY)),
    });

    // MixMonitor D into a .wav: interleaved samples under a mono header (docs/asterisk.md); the
    // finalizer makes it 2-channel. One side at a time makes sound, so each channel is attributable.
    it.each([
      ['stereo', undefined, 'agent'],
      ['stereo-quiet', 'tone', 'caller'],
    ])(
      'stereo (%s, caller %s): a 2-channel WAV, caller left, agent right; only the %s is heard',
      async (exten, callerExten, heard) => {
        const gate = await gatedCall(suite, () => originateFrom(exten, NY, callerExten));
        const { recs } = await settled(gate.callId);
        const rec = recs[0] as never as { filePath: string; durationMs: number | null; state: string };
        const wav = checkFile(rec, exten);
        const file = fileOf(rec, RECORDINGS);
        const bridged = acc.bridgedSeconds(suite, gate.callId, ev(gate.callId, 'PartyChanged')[0]);
        const [left, right] = [1, 2].map((c) => acc.channelRms(file, 2, 5, c)) as [number, number];
        figures[exten] = { ...(figures[exten] as object), bridgedSeconds: bridged, rmsLeft: left, rmsRight: right };
        expect(soxi('-c', file)).toBe(2);
        expect(Math.abs(wav - bridged)).toBeLessThan(1);
        if (heard === 'agent') expect([left < 0.001, right > 0.005]).toEqual([true, true]);
        else expect([left > 0.005, right < 0.001]).toEqual([true, true]);
      },
      40000,
    );
  });

  // Last: from here on the run's files are ciphertext, which soxi cannot read.
  it("with a master key, the completed call and the run's earlier recordings are sealed: no plaintext of them remains, each opens to its sha256", async () => {
    await stop();
    const key = crypto.randomBytes(32);
    const c = await start({ CALLREC_MASTER_KEY: key.toString('base64') });
    const gate = await nextGate('answer');
    const { recs } = await settled(gate.callId);
    await waitFor(async () => (await c.store.atRest.backlogCount()) === 0, 30000, 'the encryption backlog drained');
    const sealed = (await c.store.recordings.get(recs[0]!.id))!;
    expect(sealed).toMatchObject({ keyId: masterKeyId(key), filePath: expect.stringMatching(/\.wav\.enc$/) });
    const ids = (await c.store.knex('recordings').whereIn('state', ['completed', 'failed']).select('id')) as Array<{
      id: number;
    }>;
    let opened = 0;
    for (const { id } of ids) {
      const r = (await c.store.recordings.get(Number(id)))!;
      if (r.storedBytes === 0) continue; // no file was ever written for it
      const file = fileOf(r, RECORDINGS);
      expect(fs.existsSync(file.slice(0, -'.enc'.length))).toBe(false);
      const plain = await openBuffer(unwrapKey(key, r.keyId!, r.wrappedKey!), fs.readFileSync(file));
      if (r.sha256) expect(crypto.createHash('sha256').update(plain).digest('hex')).toBe(r.sha256);
      opened += 1;
    }
    expect(opened).toBeGreaterThanOrEqual(5);
    figures['sealed-recordings'] = opened;
  }, 90000);
});
