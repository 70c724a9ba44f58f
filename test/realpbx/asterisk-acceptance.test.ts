// Acceptance on a real Asterisk 22 (issue 4, "Done when"): the real controller, the installed
// dialplan, Local channels originated over AMI. Runs when CALLREC_IT_ARI_URL is set:
//   CALLREC_IT_ARI_URL (http://127.0.0.1:8088), CALLREC_IT_ARI_USER, CALLREC_IT_ARI_PASSWORD
//   CALLREC_IT_AMI_HOST (127.0.0.1), CALLREC_IT_AMI_PORT, CALLREC_IT_AMI_USER, CALLREC_IT_AMI_SECRET
//   CALLREC_IT_ASTERISK_ETC, CALLREC_IT_ASTERISK_SOUNDS: where `callrec install asterisk` writes
//   CALLREC_IT_RECORDINGS: a directory Asterisk writes and this process reads (the fallback's CALLREC_DIR too)
// The test context is added over AMI (DialplanExtensionAdd): no PBX file is edited by hand. Run
// the realpbx suites one at a time (`npx jest -i test/realpbx`): asterisk-dialplan reloads the dialplan.
// Figures measured along the way are printed at the end.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../controller/src/config';
import type { PbxEvent } from '../../controller/src/domain/pbx-events';
import { startController, type Controller } from '../../controller/src/main';
import { AmiClient, type AmiEvent } from '../../controller/src/pbx/asterisk/ami';
import { AriHttp } from '../../controller/src/pbx/asterisk/ari-http';
import { parseRulesYaml } from '../../controller/src/policy/flows-yaml';
import { createLogger, silentLogger } from '../../controller/src/util/logger';
import { checkFile as checkFileOf, settledCall, sleep, waitFor } from './acceptance';
import { runCli } from '../helpers/cli';

const env = process.env;
const ARI_URL = env.CALLREC_IT_ARI_URL;
const describeIf = ARI_URL ? describe : describe.skip;
if (!ARI_URL) console.info('test/realpbx/asterisk-acceptance: skipped (set CALLREC_IT_ARI_URL and CALLREC_IT_AMI_HOST, CALLREC_IT_ASTERISK_ETC, CALLREC_IT_ASTERISK_SOUNDS, CALLREC_IT_RECORDINGS to run)');

const RECORDINGS = env.CALLREC_IT_RECORDINGS ?? '/var/spool/asterisk/callrec-it';
const APP = 'callrec-it';
const CTX = 'callrec-it-acc';
const CALLER = 'callrec-it-acc-caller';
const NODE = `it-${process.pid}`;

const RULES = `
account:
  inbound: { record: "off", consent: none }
  languages: [en, es]
flows:
  it:
    defaults: { record: from-answer, consent: none }
    applets:
      ringing: { kind: dial, record: from-ringing, consent: announce }
      answer: { kind: dial, record: from-answer, consent: announce }
      optin: { kind: dial, record: from-answer, consent: opt-in }
      optout: { kind: dial, record: from-answer, consent: opt-out }
      pause: { kind: dial, record: from-answer, consent: none }
`;

// exten -> [applet, agent]: the agent answers and plays music (a steady audio source) for 4 or 9 s.
const GATED: Record<string, [string, string]> = {
  ringing: ['ringing', 'agent'], answer: ['answer', 'agent'], optin: ['optin', 'agent'], optout: ['optout', 'agent'],
  pause: ['pause', 'agent-long'], fb: ['ringing', 'agent-long'], 'stuck-optin': ['optin', 'agent'], 'stuck-announce': ['ringing', 'agent'],
};



describeIf('callrec on a real Asterisk 22 (acceptance)', () => {
  let ami: AmiClient;
  let ari: AriHttp;
  let controller: Controller | null = null;
  let dbDir: string;
  const amiEvents: AmiEvent[] = [];
  const pbxEvents: PbxEvent[] = [];
  const figures: Record<string, unknown> = {};

  async function start(extra: Record<string, string> = {}): Promise<Controller> {
    const cfg = loadConfig({
      CALLREC_NODE: NODE, CALLREC_DB_URL: `sqlite:${path.join(dbDir, 'callrec.sqlite3')}`,
      CALLREC_RECORDINGS_DIR: RECORDINGS, CALLREC_HTTP_PORT: '1',
      CALLREC_ARI_URL: ARI_URL ?? '', CALLREC_ARI_USER: env.CALLREC_IT_ARI_USER ?? 'callrec', CALLREC_ARI_PASSWORD: env.CALLREC_IT_ARI_PASSWORD ?? 'callrec',
      CALLREC_ARI_APP: APP, CALLREC_AMI_HOST: env.CALLREC_IT_AMI_HOST ?? '127.0.0.1', CALLREC_AMI_PORT: env.CALLREC_IT_AMI_PORT ?? '5038',
      CALLREC_AMI_USER: env.CALLREC_IT_AMI_USER ?? 'callrec', CALLREC_AMI_SECRET: env.CALLREC_IT_AMI_SECRET ?? 'callrec', ...extra,
    });
    cfg.http.port = 0;
    // CALLREC_IT_LOG=debug shows the controller's log while debugging a run.
    const c = await startController(cfg, env.CALLREC_IT_LOG ? createLogger({ level: 'debug', format: 'json' }) : silentLogger());
    c.pbx.onEvent((e) => pbxEvents.push(e));
    await waitFor(() => c.pbx.status() === 'connected', 10000, 'ARI connected');
    controller = c;
    return c;
  }

  async function stop(): Promise<void> {
    await controller?.stop();
    controller = null;
  }

  async function amiSend(action: string, fields: Record<string, string>): Promise<void> {
    const r = await ami.send(action, fields);
    if (!r.ok) throw new Error(`${action}: ${r.error.detail}`);
  }

  /** A caller on Local/<exten>@CTX; its ;1 half waits, or runs <callerExten>@CALLER once answered. */
  async function originate(exten: string, callerExten?: string): Promise<void> {
    const target: Record<string, string> = callerExten ? { Context: CALLER, Exten: callerExten, Priority: '1' } : { Application: 'Wait', Data: '60' };
    await amiSend('Originate', { Channel: `Local/${exten}@${CTX}/n`, CallerID: '"IT" <2125550123>', Timeout: '30000', Async: 'true', ...target });
  }

  async function addExten(context: string, exten: string, steps: string[]): Promise<void> {
    for (const [i, app] of steps.entries()) {
      const open = app.indexOf('(');
      await amiSend('DialplanExtensionAdd', { Context: context, Extension: exten, Priority: String(i + 1), Application: app.slice(0, open), ApplicationData: app.slice(open + 1, -1), Replace: 'yes' });
    }
  }

  function nextGate(from: number): Promise<Extract<PbxEvent, { type: 'GateEntered' }>> {
    return waitFor(() => pbxEvents.slice(from).find((e): e is Extract<PbxEvent, { type: 'GateEntered' }> => e.type === 'GateEntered'), 15000, 'StasisStart');
  }

  const ev = <T extends PbxEvent['type']>(callId: string, type: T) =>
    pbxEvents.filter((e): e is Extract<PbxEvent, { type: T }> => e.callId === callId && e.type === type);

  /** The call's rows once the call row says the call is over. */
  const settled = (pbxCallId: string, ms = 30000) => settledCall((controller as Controller).store, NODE, pbxCallId, ms);

  const checkFile = (rec: { filePath: string; durationMs: number | null; state: string }, name: string) => checkFileOf(rec, RECORDINGS, figures, name);

  beforeAll(async () => {
    dbDir = fs.mkdtempSync(path.join(os.tmpdir(), 'callrec-it-acc-'));
    fs.mkdirSync(RECORDINGS, { recursive: true });
    const installed = await runCli(['install', 'asterisk', '--etc', env.CALLREC_IT_ASTERISK_ETC ?? '/etc/asterisk',
      '--sounds', env.CALLREC_IT_ASTERISK_SOUNDS ?? '/var/lib/asterisk/sounds', '--recordings', RECORDINGS], { CALLREC_FALLBACK: 'announce-and-record' });
    if (installed.code !== 0) throw new Error(installed.err.join('\n'));
    ari = new AriHttp(ARI_URL ?? '', env.CALLREC_IT_ARI_USER ?? 'callrec', env.CALLREC_IT_ARI_PASSWORD ?? 'callrec');
    ami = new AmiClient({ host: env.CALLREC_IT_AMI_HOST ?? '127.0.0.1', port: Number(env.CALLREC_IT_AMI_PORT ?? 5038), user: env.CALLREC_IT_AMI_USER ?? 'callrec', secret: env.CALLREC_IT_AMI_SECRET ?? 'callrec', logger: silentLogger() });
    ami.onEvent((e) => amiEvents.push(e));
    ami.start();
    await waitFor(() => ami.status() === 'connected', 5000, 'AMI connected');
    await amiSend('Command', { Command: 'dialplan reload' });
    await amiSend('Command', { Command: 'module reload features' });
    for (const [exten, [applet, agent]] of Object.entries(GATED)) {
      await addExten(CTX, exten, [`Set(CALLREC_APP=${APP})`, `Gosub(callrec-gate,s,1(it,${applet}))`, `Dial(Local/${agent}@${CTX}/n,20)`, 'Hangup()']);
    }
    await addExten(CTX, 'agent', ['Answer()', 'MusicOnHold(default,4)', 'Hangup()']);
    await addExten(CTX, 'agent-long', ['Answer()', 'MusicOnHold(default,9)', 'Hangup()']);
    for (const digit of ['1', '2', '9']) await addExten(CALLER, `press${digit}`, ['Wait(1)', `SendDTMF(${digit})`, 'Wait(60)']);

    const parsed = parseRulesYaml(RULES, 'it.yaml');
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    const c = await start();
    await c.store.rules.importDocument(parsed.doc);
  }, 60000);

  afterAll(async () => {
    await stop();
    await ami?.stop();
    ari?.close();
    console.info(`asterisk acceptance figures:\n${JSON.stringify(figures, null, 1)}`);
  });

  it.each([
    ['ringing', undefined, 'announced'],
    ['answer', undefined, 'announced'],
    ['optin', 'press1', 'accepted'],
    ['optout', undefined, 'announced'],
  ])('%s (%s): greeting played, recorded, completed row matches the WAV', async (exten, caller, outcome) => {
    const from = pbxEvents.length;
    await originate(exten, caller);
    const gate = await nextGate(from);
    const { call, recs, events } = await settled(gate.callId);
    expect(ev(gate.callId, 'PromptFinished').length).toBeGreaterThanOrEqual(1);
    expect(call).toMatchObject({ state: 'done', consentOutcome: outcome, applet: GATED[exten]?.[0] });
    expect(recs).toHaveLength(1);
    const wav = checkFile(recs[0] as never, exten);
    // The agent plays 4 s of music: from-answer holds about that, from-ringing a little more.
    expect(wav).toBeGreaterThan(3.5);
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['decided', 'released', 'started', 'hangup', 'completed']));
  }, 40000);

  it.each([
    ['optin', 'press2', 'declined'],
    ['optout', 'press9', 'opted-out'],
  ])('%s with %s: no recording (%s)', async (exten, caller, outcome) => {
    const from = pbxEvents.length;
    await originate(exten, caller);
    const gate = await nextGate(from);
    const { call, recs } = await settled(gate.callId);
    expect(call).toMatchObject({ state: 'not_recorded', consentOutcome: outcome });
    expect(recs).toHaveLength(0);
    expect(amiEvents.some((e) => e.type === 'MixMonitorStart' && e.uniqueId === gate.callId)).toBe(false);
  }, 40000);

  it('caller hanging up during the greeting: stored as such, no recording', async () => {
    const from = pbxEvents.length;
    await originate('ringing');
    const gate = await nextGate(from);
    await sleep(1200); // into the 3.9 s announcement
    const ch = await ari.request('GET', `/channels/${gate.callId}`);
    const name = (ch.ok ? (ch.value as { name: string }).name : '').replace(/;2$/, ';1');
    await amiSend('Hangup', { Channel: name });
    const { call, recs } = await settled(gate.callId);
    expect(call).toMatchObject({ state: 'not_recorded', consentOutcome: 'hung-up' });
    expect(recs).toHaveLength(0);
  }, 30000);

  async function pauseResume(mode: 'silence' | 'skip'): Promise<void> {
    const from = pbxEvents.length;
    await originate('pause');
    const gate = await nextGate(from);
    const c = controller as Controller;
    const answered = await waitFor(() => ev(gate.callId, 'PartyChanged')[0], 15000, 'agent answered');
    const row = await waitFor(() => c.store.calls.findByPbxId(NODE, gate.callId), 5000, 'call row');
    await sleep(1500);
    const paused = await c.calls.act(row.id, 'pause', 'it');
    expect(paused).toMatchObject({ ok: true, value: { recordingState: 'paused' } });
    await sleep(3000);
    expect(await c.calls.act(row.id, 'resume', 'it')).toMatchObject({ ok: true, value: { recordingState: 'recording' } });
    const { recs, events } = await settled(gate.callId);
    const hung = ev(gate.callId, 'CallHungUp')[0];
    const bridged = ((hung?.at.getTime() ?? 0) - answered.at.getTime()) / 1000;
    const rec = recs[0] as never as { pausedMs: number; filePath: string; durationMs: number | null; state: string };
    const wav = checkFile(rec, `pause-${mode}`);
    expect(rec.pausedMs).toBeGreaterThan(2500);
    // silence keeps the timeline; skip leaves the paused time out of the file.
    const expected = mode === 'silence' ? bridged : bridged - rec.pausedMs / 1000;
    expect(Math.abs(wav - expected)).toBeLessThan(0.6);
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['paused', 'resumed']));
    figures[`pause-${mode}`] = { ...(figures[`pause-${mode}`] as object), bridgedSeconds: bridged, pausedMs: rec.pausedMs };
  }

  it('pause/resume with silence (MixMonitorMute): the file keeps the paused time', async () => {
    await pauseResume('silence');
    expect(amiEvents.some((e) => e.type === 'MixMonitorMute' && e.muted)).toBe(true);
  }, 40000);

  it('pause/resume by skipping (StopMixMonitor + MixMonitor a): the file leaves it out', async () => {
    await stop();
    await start({ CALLREC_PAUSE_MODE: 'skip' });
    await pauseResume('skip');
  }, 60000);

  it('a call arriving while the controller is down follows CALLREC_FALLBACK, and is adopted and completed after restart', async () => {
    await stop();
    const from = amiEvents.length;
    await originate('fb');
    const mm = await waitFor(() => amiEvents.slice(from).find((e) => e.type === 'MixMonitorStart' && e.channel.includes(`/fb@${CTX}`)), 15000, 'fallback MixMonitor');
    const t0 = Date.now();
    await start();
    const { call, recs } = await settled(mm.uniqueId);
    figures.adoptedAfterRestartMs = Date.now() - t0;
    expect(call.state).toBe('done');
    expect(recs).toHaveLength(1);
    // announce-and-record: the file is named by the dialplan in CALLREC_DIR
    expect(recs[0]?.filePath).toMatch(new RegExp(`-2125550123-.*-${mm.uniqueId.replace('.', '\\.')}\\.wav$`));
    expect(checkFile(recs[0] as never, 'fallback-adopted')).toBeGreaterThan(3);
  }, 60000);

  // The controller stops while the greeting plays (8 s opt-in question, 3.9 s announcement).
  it.each([
    ['stuck-optin', 'not_recorded', 0],
    ['stuck-announce', 'done', 1],
  ])('%s: a call waiting in the gate when the controller stops is released within 5 s of the restart', async (exten, state, recordings) => {
    const from = pbxEvents.length;
    await originate(exten);
    const gate = await nextGate(from);
    await sleep(1500);
    await stop();
    await sleep(1000);
    const still = await ari.request('GET', `/channels/${gate.callId}`);
    expect(still.ok && (still.value as { dialplan: { app_name: string } }).dialplan.app_name).toBe('Stasis');
    const t0 = Date.now();
    await start();
    await waitFor(async () => {
      const r = await ari.request('GET', `/channels/${gate.callId}`);
      return !r.ok || (r.value as { dialplan: { app_name: string } }).dialplan.app_name !== 'Stasis';
    }, 5000, 'released from Stasis');
    figures[`${exten}-releasedAfterRestartMs`] = Date.now() - t0;
    const { call, recs } = await settled(gate.callId);
    expect(call.fallbackReason).toMatch(/gate at \(re\)connect/);
    // Opt-in without a yes is never recorded; an interrupted announcement is played again and
    // recorded by the dialplan's fallback, which the controller then finalizes.
    expect(call.state).toBe(state);
    expect(recs).toHaveLength(recordings);
    if (recordings) expect(checkFile(recs[0] as never, exten)).toBeGreaterThan(3.5);
  }, 60000);
});
