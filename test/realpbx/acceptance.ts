// What the real-PBX acceptance suites share: waiting on the live system, the settled rows of a
// call, checking a completed recording against its WAV (soxi), and the scenarios that are the
// same on every PBX (pause/resume, the call facts), each suite placing the calls its own way.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { generateApiKey } from '../../controller/src/domain/api-keys';
import type { PbxEvent } from '../../controller/src/domain/pbx-events';
import type { PauseMode } from '../../controller/src/domain/vocabulary';
import { loadConfig } from '../../controller/src/config';
import type { Config } from '../../controller/src/config/types';
import { startController, type Controller } from '../../controller/src/main';
import { parseRulesYaml } from '../../controller/src/policy/flows-yaml';
import type { Store } from '../../controller/src/store';
import { createLogger, silentLogger } from '../../controller/src/util/logger';
import { runCli } from '../helpers/cli';
import { fileToneBursts } from '../helpers/tone-bursts';

export function waitFor<T>(
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  ms: number,
  what: string,
): Promise<T> {
  const until = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = async () => {
      const v = await check();
      if (v) return resolve(v);
      if (Date.now() > until) return reject(new Error(`${what}: not within ${ms} ms`));
      setTimeout(() => void tick(), 50);
    };
    void tick();
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const soxi = (flag: string, file: string) => Number(execFileSync('soxi', [flag, file]).toString().trim());

interface RecordingRow {
  filePath: string;
  durationMs: number | null;
  state: string;
}

/** A recording row's file as this process reads it. */
export const fileOf = (rec: RecordingRow, root: string): string =>
  path.isAbsolute(rec.filePath) ? rec.filePath : path.join(root, rec.filePath);

/** The call's rows once the call row says it is over and no recording is still live. */
export function settledCall(store: Store, node: string, pbxCallId: string, ms = 30000) {
  return waitFor(
    async () => {
      const call = await store.calls.findByPbxId(node, pbxCallId);
      if (!call || !['done', 'not_recorded', 'failed'].includes(call.state) || call.endedAt === null) return null;
      const recs = await store.recordings.forCall(call.id);
      if (recs.some((r) => ['pending', 'recording', 'paused', 'finalizing'].includes(r.state))) return null;
      return { call, recs, events: await store.events.forCall(call.id) };
    },
    ms,
    `call ${pbxCallId} settled`,
  );
}

/** Completed, and its row's duration is the WAV's within 0.3 s; notes both under `name`. Returns the WAV's seconds. */
export function checkFile(rec: RecordingRow, root: string, figures: Record<string, unknown>, name: string): number {
  expect(rec.state).toBe('completed');
  const file = fileOf(rec, root);
  const wav = soxi('-D', file);
  expect(Math.abs((rec.durationMs ?? 0) / 1000 - wav)).toBeLessThanOrEqual(0.3);
  figures[name] = { ...(figures[name] as object), fileSeconds: wav, rowMs: rec.durationMs, channels: soxi('-c', file) };
  return wav;
}

/**
 * What `callrec install` changes on a PBX, undone: remembers every file under `dirs` (contents of
 * those under `keepContent`), and `restore()` deletes what appeared and puts back what changed.
 * Each suite leaves the PBX as it found it, so no suite depends on another's install.
 */
export function snapshotFiles(dirs: string[], keepContent: string[]): { restore(): string[] } {
  const list = (dir: string): string[] => {
    if (!fs.existsSync(dir)) return [];
    return fs
      .readdirSync(dir, { withFileTypes: true, recursive: true })
      .filter((e) => e.isFile() || e.isSymbolicLink())
      .map((e) => path.join(e.parentPath, e.name));
  };
  const before = new Set(dirs.flatMap(list));
  const contents = new Map(keepContent.flatMap(list).map((f) => [f, fs.readFileSync(f)] as const));
  return {
    restore() {
      const touched: string[] = [];
      for (const f of dirs.flatMap(list))
        if (!before.has(f)) {
          fs.rmSync(f, { force: true });
          touched.push(f);
        }
      for (const [f, data] of contents) {
        if (!fs.existsSync(f) || !fs.readFileSync(f).equals(data)) {
          fs.writeFileSync(f, data);
          touched.push(f);
        }
      }
      return touched;
    },
  };
}

/** A rules document (YAML) imported into the controller's store, over what it had. */
export async function importRules(store: Store, yaml: string, name: string): Promise<void> {
  const parsed = parseRulesYaml(yaml, name);
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  await store.rules.importDocument(parsed.doc);
}

/** The rules both suites start with: one flow, an applet per consent mode, one to pause in, one in stereo. */
export const SUITE_RULES = `
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
      stereo: { kind: dial, record: from-answer, consent: none, stereo: true }
      beep: { kind: dial, record: from-answer, consent: none, beep: true }
`;

/** Issue 14's rules over a suite's own: an account outbound setting that records, two campaigns, a DID and an on-demand applet. */
export const factsRules = (
  rules: string,
): string => `${rules.replace('  languages:', '  outbound: { record: from-answer, consent: none }\n  languages:')}
      did: { kind: dial, record: from-answer, consent: none }
      ondemand: { kind: dial, record: on-demand, consent: none }
campaigns:
  camp-x: { record: "off" }
  camp-y: { record: from-answer, consent: announce }
`;

/** An agent key for `agent`, over the controller's HTTP API, finds the recording in a search and plays it. */
export async function expectAgentListsAndPlays(c: Controller, recordingId: number, agent: string): Promise<void> {
  const { key, prefix, hash } = generateApiKey();
  // Key names are unique: one key per check, named by its prefix.
  await c.store.keys.insert({ name: `agent ${agent} ${prefix}`, prefix, hash, role: 'agent', agent });
  const get = (p: string) =>
    fetch(`http://${c.address.host}:${c.address.port}/api${p}`, { headers: { Authorization: `Bearer ${key}` } });
  const list = (await (await get('/recordings?limit=50')).json()) as { items: Array<{ id: number }> };
  expect(list.items.map((r) => r.id)).toContain(recordingId);
  const audio = await get(`/recordings/${recordingId}/audio`);
  expect(audio.status).toBe(200);
  expect((await audio.arrayBuffer()).byteLength).toBeGreaterThan(44);
}

/** RMS amplitude (0..1) of one stretch of a file, all channels mixed, or one (1-based). */
export function channelRms(file: string, start: number, seconds: number, channel?: number): number {
  const args = [
    file,
    '-n',
    'trim',
    String(start),
    String(seconds),
    ...(channel ? ['remix', String(channel)] : []),
    'stat',
  ];
  const out = spawnSync('sox', args, { encoding: 'utf8' }).stderr; // sox prints its stat on stderr
  return Number(/RMS\s+amplitude:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
}

type Settled = Awaited<ReturnType<typeof settledCall>>;

/** One recording; the call keeps the agent who answered, the transfer's joins its agents, and both list and play it. */
export async function expectTransferred(
  c: Controller,
  { call, recs, events }: Settled,
  first: string,
  next: string,
): Promise<void> {
  expect(recs).toHaveLength(1);
  expect(call.agent).toBe(first);
  const id = recs[0]?.id ?? 0;
  expect(await c.store.recordings.agentsOf(id)).toEqual(expect.arrayContaining([first, next]));
  expect(events.filter((e) => e.type === 'transfer').map((e) => e.detail?.agent)).toContain(next);
  for (const agent of [first, next]) await expectAgentListsAndPlays(c, id, agent);
}

/**
 * An AcceptanceSuite's `config`: the suite's node, database (`dbUrl` read at each start) and
 * recordings, HTTP set at start, then the PBX's own settings and what the start adds.
 */
export const suiteConfig =
  (node: string, dbUrl: () => string, root: string, pbx: Record<string, string>) =>
  (extra: Record<string, string>): Config =>
    loadConfig({
      CALLREC_NODE: node,
      CALLREC_DB_URL: dbUrl(),
      CALLREC_RECORDINGS_DIR: root,
      CALLREC_HTTP_PORT: '1',
      ...pbx,
      ...extra,
    });

/** The 700 Hz beeps in the recording and in what each party heard, kept in `figures.beep` with the file's length. */
export function beepBursts(
  figures: Record<string, unknown>,
  files: { file: string; caller: string; agent: string },
  fileSeconds: number,
) {
  const found = {
    file: fileToneBursts(files.file, { hz: 700 }),
    caller: fileToneBursts(files.caller, { hz: 700 }),
    agent: fileToneBursts(files.agent, { hz: 700 }),
  };
  figures.beep = {
    fileSeconds,
    ...Object.fromEntries(
      Object.entries(found).map(([k, b]) => [
        k,
        { at: b.map((x) => x.at), seconds: b.map((x) => x.seconds), level: b.map((x) => x.level) },
      ]),
    ),
  };
  return found;
}

type Gate = Extract<PbxEvent, { type: 'GateEntered' }>;

/**
 * One suite's controller, started and stopped as the tests need it, with what its scenarios see:
 * every event its ports emitted, where its files are, and the figures measured along the way.
 */
export class AcceptanceSuite {
  /** Every PbxEvent the suite's controllers' ports emitted, in order. */
  readonly events: PbxEvent[] = [];
  readonly figures: Record<string, unknown> = {};
  private current: Controller | null = null;

  /**
   * root: the recordings directory as this process reads it; config: the controller's settings
   * (HTTP on a free port is set here); pbx: what "connected" is called in a failure.
   */
  constructor(
    readonly node: string,
    readonly root: string,
    private readonly o: { config: (extra: Record<string, string>) => Config; pbx: string },
  ) {}

  /** The suite's events of one type for one call. */
  readonly ev = <T extends PbxEvent['type']>(callId: string, type: T) => eventsOf(this, callId, type);
  /** The call's rows once its row says it is over. */
  readonly settled = (pbxCallId: string, ms = 30000) => settledIn(this, pbxCallId, ms);
  /** The recording's file checked against its row; its length in seconds. */
  readonly checkFile = (rec: { filePath: string; durationMs: number | null; state: string }, name: string) =>
    checkFile(rec as RecordingRow, this.root, this.figures, name);

  /** The running controller, or null between a stop and the next start. */
  get running(): Controller | null {
    return this.current;
  }

  controller(): Controller {
    if (!this.current) throw new Error('the controller is not running');
    return this.current;
  }

  async start(extra: Record<string, string> = {}): Promise<Controller> {
    const cfg = this.o.config(extra);
    cfg.http.port = 0;
    // CALLREC_IT_LOG=debug shows the controller's log while debugging a run.
    const c = await startController(
      cfg,
      process.env.CALLREC_IT_LOG ? createLogger({ level: 'debug', format: 'json' }) : silentLogger(),
    );
    c.pbx.onEvent((e) => this.events.push(e));
    await waitFor(() => c.pbx.status() === 'connected', 10000, `${this.o.pbx} connected`);
    this.current = c;
    return c;
  }

  async stop(): Promise<void> {
    await this.current?.stop();
    this.current = null;
  }

  /** After each test, a controller runs again: a test that failed while it was stopped must not fail every test after it. */
  keepRunning(): void {
    afterEach(async () => {
      if (!this.current) await this.start();
    });
  }

  /** Stops the controller and removes this run's recordings directory. */
  async finish(): Promise<void> {
    await this.stop();
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

/** The suite's events of one type for one call. */
export const eventsOf = <T extends PbxEvent['type']>(s: AcceptanceSuite, callId: string, type: T) =>
  s.events.filter((e): e is Extract<PbxEvent, { type: T }> => e.callId === callId && e.type === type);

/** Places a call (`place` originates it) and waits for it to enter the gate. */
export async function gatedCall(s: AcceptanceSuite, place: () => Promise<unknown>): Promise<Gate> {
  const from = s.events.length;
  await place();
  return waitFor(() => s.events.slice(from).find((e): e is Gate => e.type === 'GateEntered'), 15000, 'gate entered');
}

/** The call's rows once the call row says the call is over. */
export const settledIn = (s: AcceptanceSuite, pbxCallId: string, ms = 30000) =>
  settledCall(s.controller().store, s.node, pbxCallId, ms);

/** Seconds from `answered` to the call's hangup, as the PBX reported them. */
export function bridgedSeconds(s: AcceptanceSuite, callId: string, answered: { at: Date } | undefined): number {
  const hung = eventsOf(s, callId, 'CallHungUp')[0];
  return ((hung?.at.getTime() ?? 0) - (answered?.at.getTime() ?? 0)) / 1000;
}

/**
 * Pause 1.5 s into the bridge, resume 3 s later, over the API: the row keeps the paused time, the
 * file keeps it (silence) or leaves it out (skip). `answered` is the event that starts the bridge
 * on this PBX; `tolerance` how far the file may be from the expected length, in seconds.
 */
export async function pauseResumeScenario(
  s: AcceptanceSuite,
  o: {
    mode: PauseMode;
    place: () => Promise<unknown>;
    answered: 'PartyChanged' | 'CallAnswered';
    tolerance: number;
  },
): Promise<void> {
  const gate = await gatedCall(s, o.place);
  const c = s.controller();
  const answered = await waitFor(() => eventsOf(s, gate.callId, o.answered)[0], 15000, 'agent answered');
  await waitFor(() => eventsOf(s, gate.callId, 'RecordingStarted')[0], 5000, 'recording started');
  const row = await waitFor(() => c.store.calls.findByPbxId(s.node, gate.callId), 5000, 'call row');
  await sleep(1500);
  expect(await c.calls.act(row.id, 'pause', 'it')).toMatchObject({ ok: true, value: { recordingState: 'paused' } });
  await sleep(3000);
  expect(await c.calls.act(row.id, 'resume', 'it')).toMatchObject({ ok: true, value: { recordingState: 'recording' } });
  const { recs, events } = await settledIn(s, gate.callId);
  const bridged = bridgedSeconds(s, gate.callId, answered);
  const rec = recs[0] as never as { pausedMs: number; filePath: string; durationMs: number | null; state: string };
  const wav = checkFile(rec, s.root, s.figures, `pause-${o.mode}`);
  expect(rec.pausedMs).toBeGreaterThan(2500);
  // silence keeps the timeline; skip leaves the paused time out of the file.
  const expected = o.mode === 'silence' ? bridged : bridged - rec.pausedMs / 1000;
  expect(Math.abs(wav - expected)).toBeLessThan(o.tolerance);
  expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['paused', 'resumed']));
  s.figures[`pause-${o.mode}`] = {
    ...(s.figures[`pause-${o.mode}`] as object),
    bridgedSeconds: bridged,
    pausedMs: rec.pausedMs,
  };
}

/** How a suite places the call-facts scenarios' calls (its own dialplan context, see factsRules). */
export interface FactsCalls {
  /** A call from `cid` dialing `exten` (a DID, or an outbound number with its campaign). */
  call(exten: string, cid: string): Promise<unknown>;
  /** A DID call that agent 202 answers and that is then transferred to agent 305; resolves with its gate. */
  transferred(): Promise<Gate>;
  /** A call from `cid` to the on-demand applet in which *44 is pressed about 3 s into the bridge; resolves with its gate. */
  onDemand(cid: string): Promise<Gate>;
}

/**
 * Issue 14's scenarios, the same on every PBX: the call facts (dialed number, direction, campaign,
 * answering agent) reach the policy and the rows; on demand records only from *44. Registers the
 * tests in the calling describe, whose rules are factsRules(...).
 */
export function callFactsScenarios(s: AcceptanceSuite, calls: FactsCalls): void {
  const NY = '2125550123';
  const CA = '4155550100';
  const parties = (callId: string) =>
    eventsOf(s, callId, 'PartyChanged').map((e) => ({ kind: e.kind, party: e.party, agent: e.agent }));

  it('a DID call from a one-party caller under consent none: no prompt, `to` in E.164, agent 202 stored and able to list and play it', async () => {
    const gate = await gatedCall(s, () => calls.call('2125550199', NY));
    expect(gate.facts).toMatchObject({ from: NY, to: '2125550199', direction: 'inbound' });
    const { call, recs } = await settledIn(s, gate.callId);
    expect(eventsOf(s, gate.callId, 'PromptFinished')).toHaveLength(0);
    expect(call).toMatchObject({
      toNumber: '+12125550199',
      fromNumber: '+12125550123',
      consentOutcome: 'not-required',
      agent: '202',
    });
    expect(recs).toHaveLength(1);
    expect(recs[0]).toMatchObject({ agent: '202', toNumber: '+12125550199' });
    expect(recs[0]?.filePath).toMatch(/-\+12125550123-\+12125550199-/);
    s.figures.agentParty = parties(gate.callId);
    await expectAgentListsAndPlays(s.controller(), recs[0]?.id ?? 0, '202');
  }, 40000);

  it('a transfer adds the new agent: both agents can list and play the one recording', async () => {
    const gate = await calls.transferred();
    const settled = await settledIn(s, gate.callId);
    s.figures.transfer = parties(gate.callId);
    await expectTransferred(s.controller(), settled, '202', '305');
  }, 40000);

  it('the same DID from a California caller is announced', async () => {
    const gate = await gatedCall(s, () => calls.call('2125550199', CA));
    const { call } = await settledIn(s, gate.callId);
    expect(eventsOf(s, gate.callId, 'PromptFinished').length).toBeGreaterThanOrEqual(1);
    expect(call).toMatchObject({ toNumber: '+12125550199', consentOutcome: 'announced', state: 'done' });
  }, 40000);

  it.each([
    ['3125550111', 'camp-x', 0],
    ['3125550112', 'camp-y', 1],
  ])(
    'an outbound call to %s with campaign %s: the campaign decides over the account outbound setting',
    async (exten, campaign, recorded) => {
      const gate = await gatedCall(s, () => calls.call(exten, '201'));
      expect(gate.facts).toMatchObject({ direction: 'outbound', campaign, agent: '201', to: exten });
      const { call, recs } = await settledIn(s, gate.callId);
      expect(call).toMatchObject({ direction: 'outbound', campaign, agent: '201', toNumber: `+1${exten}` });
      expect(recs).toHaveLength(recorded);
      if (recorded) {
        expect(recs[0]).toMatchObject({ direction: 'outbound', campaign, agent: '201' });
        expect(call.consentOutcome).toBe('announced');
      }
    },
    40000,
  );

  it('on demand with a California caller: announced, then recorded only from *44', async () => {
    const gate = await calls.onDemand(CA);
    const { call, recs, events } = await settledIn(s, gate.callId);
    expect(call.consentOutcome).toBe('announced');
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['start-requested']));
    expect(recs).toHaveLength(1);
    const bridged = bridgedSeconds(s, gate.callId, eventsOf(s, gate.callId, 'PartyChanged')[0]);
    const wav = checkFile(recs[0] as never, s.root, s.figures, 'on-demand');
    s.figures['on-demand'] = { ...(s.figures['on-demand'] as object), bridgedSeconds: bridged };
    // *44 comes 3 s into the 9 s bridge: the file misses about those 3 s.
    expect(bridged - wav).toBeGreaterThan(2);
    expect(wav).toBeGreaterThan(4);
  }, 40000);
}

/** The opt-in call declined and the opt-out call opted out: [applet, the caller's key, outcome]. */
export const declineCases = (optinKey: string, optoutKey: string): Array<[string, string, string]> => [
  ['optin', optinKey, 'declined'],
  ['optout', optoutKey, 'opted-out'],
];

/** The gated scenarios both suites place: name -> [applet, agent extension]. */
export const GATED_COMMON: Record<string, [string, string]> = {
  ringing: ['ringing', 'agent'],
  answer: ['answer', 'agent'],
  optin: ['optin', 'agent'],
  optout: ['optout', 'agent'],
  pause: ['pause', 'agent-long'],
  fb: ['ringing', 'agent-long'],
  'stuck-optin': ['optin', 'agent'],
  'stuck-announce': ['ringing', 'agent'],
  beep: ['beep', 'agent-quiet'],
};

/** scenario -> the DID its caller dials: New York numbers unless `area` names another area code. */
export const didsFor = (gated: Record<string, unknown>, area: (name: string) => string = () => '212') =>
  Object.fromEntries(Object.keys(gated).map((name, i) => [name, `${area(name)}55501${String(i + 10)}`]));

/** The fallback-adopted scenario as a test (issue 15). */
export const fallbackAdoptedTest = (s: AcceptanceSuite, o: Parameters<typeof fallbackAdoptedScenario>[1]) =>
  it(
    'a call arriving while the controller is down follows CALLREC_FALLBACK, and is adopted and completed after restart',
    () => fallbackAdoptedScenario(s, o),
    60000,
  );

/** The orphan-purged scenario as a test (issue 15). */
export const orphanPurgedTest = (s: AcceptanceSuite, o: Parameters<typeof orphanPurgedScenario>[1]) =>
  it(
    'a call made while the controller is stopped for the whole call is listed completed within 30 s of the start, and purged when its tier ends',
    () => orphanPurgedScenario(s, o),
    70000,
  );

/**
 * A call the dialplan's fallback recorded while the controller was down, the controller started
 * while it goes on: adopted and completed. `place` makes the call (the controller stopped) and
 * resolves with its PBX call id once the fallback records it; `file` is how the dialplan names it.
 */
export async function fallbackAdoptedScenario(
  s: AcceptanceSuite,
  o: { place: () => Promise<string>; file: (callId: string) => RegExp; minSeconds: number },
): Promise<void> {
  await s.stop();
  const callId = await o.place();
  const t0 = Date.now();
  await s.start();
  const { call, recs } = await settledIn(s, callId);
  s.figures.adoptedAfterRestartMs = Date.now() - t0;
  expect(call.state).toBe('done');
  expect(recs).toHaveLength(1);
  expect(recs[0]?.filePath).toMatch(o.file(callId));
  expect(checkFile(recs[0] as never, s.root, s.figures, 'fallback-adopted')).toBeGreaterThan(o.minSeconds);
}

/**
 * Issue 15: a call begun and ended while callrec is stopped leaves only a file; reconciliation
 * gives it its rows within 30 s of the start, and retention purges it like any other when its
 * tier ends. `place` resolves with the call's PBX id once it hung up (the controller stopped);
 * `call`: what its row must show; `dbUrl`: the suite's database (read when the test runs), for `callrec retention run`.
 */
export async function orphanPurgedScenario(
  s: AcceptanceSuite,
  o: { place: () => Promise<string>; call: Record<string, unknown>; minSeconds: number; dbUrl: () => string },
): Promise<void> {
  await s.stop();
  const callId = await o.place();
  const t0 = Date.now();
  const c = await s.start();
  const { call, recs, events } = await settledIn(s, callId, 30000);
  s.figures.orphanListedAfterStartMs = Date.now() - t0;
  expect(Date.now() - t0).toBeLessThan(30000);
  expect(call).toMatchObject({ state: 'done', consentOutcome: 'fallback', ...o.call });
  expect(recs).toHaveLength(1);
  expect(checkFile(recs[0] as never, s.root, s.figures, 'orphan-adopted')).toBeGreaterThan(o.minSeconds);
  expect(events.map((e) => e.type)).toEqual(['adopted from disk']);
  const rec = recs[0]!;
  expect(rec.retainUntil!.getTime() - rec.endedAt!.getTime()).toBe(180 * 86_400_000);
  // Its tier ends: the purge deletes it like any other.
  await c.store.recordings.update(rec.id, { retainUntil: new Date(Date.now() - 1000) });
  const purge = await runCli(['retention', 'run'], {
    CALLREC_DB_URL: o.dbUrl(),
    CALLREC_RECORDINGS_DIR: s.root,
    CALLREC_NODE: s.node,
  });
  expect(purge.code).toBe(0);
  expect(await c.store.recordings.get(rec.id)).toMatchObject({ state: 'purged' });
  expect(fs.existsSync(path.join(s.root, rec.filePath))).toBe(false);
}
