import { CallSession, promptIdOf } from '../../controller/src/domain/call-session';
import type { Command } from '../../controller/src/domain/commands';
import type { GateFacts, PbxEvent } from '../../controller/src/domain/pbx-events';
import type { GateDecision, SessionEvent, SessionSettings } from '../../controller/src/domain/session-types';
import { toPbxEvent } from '../../controller/src/pbx/asterisk/events';
import { readTrace } from '../helpers/asterisk/traces';
import { gateDecision, gateFacts, SESSION_SETTINGS } from '../helpers/gate-decision';
import type { UserRule } from '../../controller/src/domain/user-mode';
import type { PartyConsent } from '../../controller/src/domain/party-consent';

const SETTINGS: SessionSettings = SESSION_SETTINGS;
const FILE = { pbxPath: '/var/spool/asterisk/monitor/callrec/2026/11/22/x.wav', relPath: '2026/11/22/x.wav' };
const T0 = new Date('2026-11-22T21:51:27.833Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

const decision = gateDecision;
const facts = gateFacts;
const types = (cmds: Command[]) => cmds.map((c) => c.type);
const pbxTypes = (cmds: Command[]) =>
  types(cmds).filter((t) => !['Persist', 'Timeline', 'SetTimer', 'ClearTimer', 'ResolveParty'].includes(t));
type Failure = Extract<SessionEvent, { type: 'CommandFailed' }>;
/** The PBX commands a session answers a failed command with. */
const failed = (s: CallSession, ms: number, command: Failure['command'], kind: Failure['kind'], detail: string) =>
  pbxTypes(s.handle({ type: 'CommandFailed', callId: s.callId, at: at(ms), command, kind, detail }));

/** Feeds the channel's events of a real trace, the way the registry would. */
function replay(session: CallSession, trace: string, channel: string, earlier: Command[] = []): Command[] {
  const out: Command[] = [];
  let prompt: string | null = null;
  for (const c of earlier) if (c.type === 'Play') prompt = c.promptId;
  for (const raw of readTrace(trace)) {
    const ev = toPbxEvent(raw);
    if (!ev || ev.callId !== channel || ev.type === 'GateEntered') continue;
    const fed: PbxEvent = ev.type === 'PromptFinished' && prompt ? { ...ev, promptId: prompt } : ev;
    const cmds = session.handle(fed);
    for (const c of cmds) if (c.type === 'Play') prompt = c.promptId;
    out.push(...cmds);
  }
  return out;
}

function gate(f: GateFacts, d: GateDecision | null, reason: string | null = null): { s: CallSession; cmds: Command[] } {
  const s = new CallSession('1795384287.5249', f, SETTINGS);
  const cmds = s.handle({ type: 'Decided', callId: s.callId, at: T0, decision: d, reason, file: FILE });
  return { s, cmds };
}

describe('CallSession from the real traces', () => {
  it('announces with early media, records from answer, and completes after hangup (q4 trace)', () => {
    const ch = '1795384287.5249';
    const s = new CallSession(ch, facts(), SETTINGS);
    const first = s.handle({ type: 'Decided', callId: ch, at: T0, decision: decision(), reason: null, file: FILE });
    expect(pbxTypes(first)).toEqual(['Watch', 'Play']);
    expect(first.find((c) => c.type === 'Play')).toMatchObject({ early: true, sound: 'callrec/announce' });
    const cmds = replay(s, 'q4-gate-subscribe-dtmf.callrec.jsonl', ch, first);
    // Persist comes before SetDecision and Continue: durable before the PBX goes on.
    const t = types(cmds);
    expect(t.indexOf('Persist')).toBeLessThan(t.indexOf('SetDecision'));
    expect(pbxTypes(cmds)).toEqual(['SetDecision', 'Continue', 'Finalize']);
    expect(cmds.find((c) => c.type === 'SetDecision')).toMatchObject({
      record: true,
      file: FILE.pbxPath,
      recorder: { fromAnswer: true, beepEverySeconds: null, stereo: false },
    });
    const v = s.view();
    expect(v.state).toBe('finalizing');
    expect(v.consentOutcome).toBe('announced');
    expect(v.recording).toMatchObject({
      state: 'finalizing',
      startedAt: new Date('2026-11-22T21:51:31.476Z'),
      recorderId: '0x7f4c1c028e70',
    });
    expect(v.recording?.endedAt?.toISOString()).toBe('2026-11-22T21:51:40.444Z');
    s.handle({ type: 'Finalized', callId: ch, at: at(13000), outcome: 'completed', reason: null });
    expect(s.view().state).toBe('done');
    expect(s.isOver).toBe(true);
  });

  it('marks the recording started only on the PBX proof (MIXMONITOR_FILENAME varset)', () => {
    const ch = '1795384287.5249';
    const { s } = gate(facts(), decision({ consent: 'none', greeting: null }));
    expect(s.view().recording?.state).toBe('pending');
    const ev = readTrace('q4-gate-subscribe-dtmf.callrec.jsonl')
      .map((r) => toPbxEvent(r))
      .find((e) => e?.type === 'RecordingStarted' && e.file);
    const cmds = s.handle(ev as SessionEvent);
    expect(s.view().recording).toMatchObject({
      state: 'recording',
      pbxFile: '/var/spool/asterisk/monitor/hp-q4-gate-subscribe-dtmf-1795384287.5249.wav',
    });
    expect(types(cmds)).toEqual(['Persist', 'Timeline']);
    void ch;
  });

  it('follows a caller-side *48 UserEvent to a pause (q7 trace)', () => {
    const ch = '1795384450.5281';
    const s = new CallSession(ch, facts(), SETTINGS);
    s.handle({
      type: 'Decided',
      callId: ch,
      at: T0,
      decision: decision({ consent: 'none', greeting: null }),
      reason: null,
      file: FILE,
    });
    const cmds = replay(s, 'q7-feature-caller-dtmf.subscribeall.jsonl', ch);
    expect(pbxTypes(cmds)).toContain('PauseRecording');
    expect(s.view().recording?.pausedMs).toBeGreaterThan(0);
  });
});

describe('CallSession consent', () => {
  const optIn = decision({
    consent: 'opt-in',
    greeting: { prompt: 'opt-in', sound: 'callrec/opt-in', language: 'en' },
  });
  const optOut = decision({
    consent: 'opt-out',
    greeting: { prompt: 'opt-out', sound: 'callrec/opt-out', language: 'en' },
  });

  it.each([
    ['opt-in, 1 pressed', optIn, ['1'], true, 'accepted'],
    ['opt-in, 2 pressed', optIn, ['2'], false, 'declined'],
    ['opt-in, other keys then 1', optIn, ['5', '1'], true, 'accepted'],
    ['opt-out, 9 pressed', optOut, ['9'], false, 'opted-out'],
  ] as const)('%s', (_n, d, digits, records, outcome) => {
    const { s, cmds } = gate(facts(), d);
    expect(pbxTypes(cmds)).toEqual(['Watch', 'Answer', 'Play']);
    let out: Command[] = [];
    for (const [i, digit] of digits.entries())
      out = s.handle({ type: 'DtmfReceived', callId: s.callId, at: at(500 + i), digit });
    expect(pbxTypes(out)).toEqual(['StopPrompt', 'SetDecision', 'Continue']);
    expect(out.find((c) => c.type === 'SetDecision')).toMatchObject({ record: records });
    expect(s.view().consentOutcome).toBe(outcome);
    expect(s.view().state).toBe(records ? 'recording' : 'not_recorded');
    expect(s.view().recording === null).toBe(!records);
  });

  it.each([
    ['opt-in without a key is not recorded', optIn, false, 'timeout'],
    ['opt-out without a key is recorded', optOut, true, 'announced'],
  ] as const)('%s', (_n, d, records, outcome) => {
    const { s } = gate(facts(), d);
    const promptId = (gate(facts(), d).cmds.find((c) => c.type === 'Play') as { promptId: string }).promptId;
    const afterPrompt = s.handle({ type: 'PromptFinished', callId: s.callId, at: at(3000), promptId });
    expect(afterPrompt).toEqual([expect.objectContaining({ type: 'SetTimer', timer: 'gate', ms: 5000 })]);
    const out = s.handle({ type: 'TimerFired', callId: s.callId, at: at(8000), timer: 'gate' });
    expect(out.find((c) => c.type === 'SetDecision')).toMatchObject({ record: records });
    expect(s.view().consentOutcome).toBe(outcome);
  });

  it('stores a caller hanging up during the greeting, with no recording', () => {
    const { s } = gate(facts(), decision());
    const out = s.handle({ type: 'CallHungUp', callId: s.callId, at: at(1000), cause: '16' });
    expect(pbxTypes(out)).toEqual([]);
    expect(s.view()).toMatchObject({ state: 'not_recorded', consentOutcome: 'hung-up', recording: null });
    expect(s.isOver).toBe(true);
  });
});

describe('CallSession fallback', () => {
  it.each([
    ['announce-and-record', 'dialplan'],
    ['record', 'record'],
    ['skip', 'skip'],
  ] as const)('deadline with fallback %s before the announcement was heard', (fallback, how) => {
    const s = new CallSession('c1', facts(), { ...SETTINGS, fallback });
    s.handle({ type: 'Decided', callId: 'c1', at: T0, decision: decision(), reason: null, file: FILE });
    const out = s.handle({ type: 'TimerFired', callId: 'c1', at: at(40000), timer: 'gate' });
    expect(s.view().fallbackReason).toMatch(/gate deadline/);
    if (how === 'dialplan') expect(pbxTypes(out)).toEqual(['Watch', 'StopPrompt', 'Continue']);
    else expect(out.find((c) => c.type === 'SetDecision')).toMatchObject({ record: how === 'record' });
  });

  it('never records an opt-in call on a deadline, whatever the fallback', () => {
    const s = new CallSession('c1', facts(), { ...SETTINGS, fallback: 'record' });
    s.handle({
      type: 'Decided',
      callId: 'c1',
      at: T0,
      decision: decision({
        consent: 'opt-in',
        greeting: { prompt: 'opt-in', sound: 'callrec/opt-in', language: 'en' },
      }),
      reason: null,
      file: FILE,
    });
    const out = s.handle({
      type: 'CommandFailed',
      callId: 'c1',
      at: at(10),
      command: 'Play',
      kind: 'timeout',
      detail: 'no answer in 2000 ms',
    });
    expect(out.find((c) => c.type === 'SetDecision')).toMatchObject({ record: false });
    expect(s.view().fallbackReason).toBe('Play failed (timeout): no answer in 2000 ms');
  });

  it.each([
    ['opt-in, fallback record', 'opt-in', 'record', true],
    ['announce, fallback skip (the dialplan has the same global)', 'announce', 'skip', false],
    ['announce, fallback announce-and-record', 'announce', 'announce-and-record', false],
    ['opt-out, fallback record', 'opt-out', 'record', false],
  ] as const)('tells the PBX up front whether it may record without us (%s)', (_n, consent, fallback, never) => {
    const s = new CallSession('c1', facts(), { ...SETTINGS, fallback });
    const out = s.handle({
      type: 'Decided',
      callId: 'c1',
      at: T0,
      decision: decision({ consent, greeting: { prompt: consent, sound: `callrec/${consent}`, language: 'en' } }),
      reason: null,
      file: FILE,
    });
    expect(out[0]).toMatchObject({ type: 'Watch' });
    expect(out[0]?.type === 'Watch' && out[0].neverRecordIfLost === true).toBe(never);
  });

  it.each([
    ['announce-and-record', 'Continue'],
    ['record', 'SetDecision'],
  ] as const)('does not count a prompt the PBX could not play as announced (fallback %s)', (fallback, last) => {
    const s = new CallSession('c1', facts(), { ...SETTINGS, fallback });
    s.handle({ type: 'Decided', callId: 'c1', at: T0, decision: decision(), reason: null, file: FILE });
    const out = s.handle({
      type: 'PromptFinished',
      callId: 'c1',
      at: at(10),
      promptId: promptIdOf('c1', 1),
      failure: 'FILE NOT FOUND (/x.wav)',
    });
    expect(s.view()).toMatchObject({
      consentOutcome: 'fallback',
      fallbackReason: 'the prompt was not played: FILE NOT FOUND (/x.wav)',
    });
    // announce-and-record: the dialplan's own fallback announces; record: recorded without one.
    expect(out.map((c) => c.type)).toContain(last);
  });

  it('plays the default announcement when the policy could not decide', () => {
    const { s, cmds } = gate(facts(), null, 'policy unavailable');
    expect(cmds.find((c) => c.type === 'Play')).toMatchObject({ sound: 'callrec/announce' });
    expect(s.view().fallbackReason).toBe('policy unavailable');
  });

  it('releases a call swept at reconnect at once', () => {
    const { s } = gate(facts(), decision());
    const out = s.handle({
      type: 'GateEntered',
      callId: s.callId,
      at: at(60000),
      facts: facts(),
      problem: null,
      swept: true,
    });
    expect(pbxTypes(out)).toContain('Continue');
    expect(s.view().fallbackReason).toMatch(/reconnect/);
  });

  it('continues even when setting the decision failed, retries continue, then gives up', () => {
    const { s } = gate(facts(), decision({ consent: 'none', greeting: null }));
    expect(failed(s, 5, 'SetDecision', 'timeout', 'x')).toEqual(['Continue']);
    expect(failed(s, 6, 'Continue', 'timeout', 'x')).toEqual(['Continue']);
    expect(failed(s, 7, 'Continue', 'timeout', 'x')).toEqual([]);
    expect(s.view()).toMatchObject({ state: 'failed' });
    expect(s.isOver).toBe(true);
  });

  it('treats a continue on a vanished channel as the caller gone, not a retry loop', () => {
    const { s } = gate(facts(), decision({ consent: 'none', greeting: null }));
    expect(failed(s, 6, 'Continue', 'not-found', '404')).toEqual([]);
    expect(s.view().state).toBe('finalizing');
  });
});

describe('CallSession live actions', () => {
  const recording = () => {
    const { s } = gate(facts({ answered: true }), decision({ consent: 'none', greeting: null, beep: true }));
    s.handle({ type: 'RecordingStarted', callId: s.callId, at: at(100), file: FILE.pbxPath, recorderId: null });
    return s;
  };

  it('tracks paused time across pause and resume', () => {
    const s = recording();
    expect(
      pbxTypes(s.handle({ type: 'FeatureRequested', callId: s.callId, at: at(1000), action: 'pause', by: 'api:sup' })),
    ).toEqual(['PauseRecording']);
    expect(s.refusal('pause')).toMatchObject({ kind: 'invalid-state' });
    const out = s.handle({ type: 'FeatureRequested', callId: s.callId, at: at(4500), action: 'resume', by: 'api:sup' });
    // Resumed as it was started: a skip-mode PBX restarts its recorder (and beep) from the spec.
    expect(out.find((c) => c.type === 'ResumeRecording')).toMatchObject({
      mode: 'silence',
      file: FILE.pbxPath,
      recorder: { fromAnswer: true, beepEverySeconds: 15, stereo: false },
    });
    expect(s.view().recording?.pausedMs).toBe(3500);
  });

  it('counts a pause still running at hangup', () => {
    const s = recording();
    s.handle({ type: 'FeatureRequested', callId: s.callId, at: at(1000), action: 'pause', by: null });
    s.handle({ type: 'CallHungUp', callId: s.callId, at: at(3000), cause: '16' });
    expect(s.view().recording?.pausedMs).toBe(2000);
  });

  it('refuses pause where the rule forbids it', () => {
    const { s } = gate(facts(), decision({ consent: 'none', greeting: null, pauseAllowed: false }));
    s.handle({ type: 'RecordingStarted', callId: s.callId, at: at(100), file: FILE.pbxPath, recorderId: null });
    expect(s.refusal('pause')).toMatchObject({ kind: 'not-allowed' });
  });

  it("starts an on-demand recording from now (bridged or not), with the rule's beep and stereo, and refuses it after a decline", () => {
    const { s } = gate(
      facts(),
      decision({ record: 'on-demand', consent: 'none', greeting: null, beep: true, stereo: true }),
    );
    expect(s.view().state).toBe('not_recorded');
    const out = s.handle({ type: 'FeatureRequested', callId: s.callId, at: at(2000), action: 'start', by: 'feature' });
    expect(types(out).indexOf('Persist')).toBeLessThan(types(out).indexOf('StartRecording'));
    expect(out.find((c) => c.type === 'StartRecording')).toMatchObject({
      recorder: { fromAnswer: false, beepEverySeconds: 15, stereo: true },
    });
    const declined = new CallSession('c2', facts(), SETTINGS);
    declined.handle({
      type: 'Decided',
      callId: 'c2',
      at: T0,
      decision: decision({ consent: 'opt-in', greeting: { prompt: 'opt-in', sound: 'x', language: 'en' } }),
      reason: null,
      file: FILE,
    });
    declined.handle({ type: 'DtmfReceived', callId: 'c2', at: at(1), digit: '2' });
    expect(declined.refusal('start')).toMatchObject({ kind: 'not-allowed' });
  });

  const optIn = { consent: 'opt-in' as const, greeting: { prompt: 'opt-in', sound: 'x', language: 'en' } };
  const optOut = { consent: 'opt-out' as const, greeting: { prompt: 'opt-out', sound: 'x', language: 'en' } };
  it.each([
    [
      'announce finished',
      {},
      (s: CallSession, p: string) => s.handle({ type: 'PromptFinished', callId: s.callId, at: at(1), promptId: p }),
      'announced',
    ],
    [
      'opt-in accepted',
      optIn,
      (s: CallSession) => s.handle({ type: 'DtmfReceived', callId: s.callId, at: at(1), digit: '1' }),
      'accepted',
    ],
    [
      'opt-out not pressed',
      optOut,
      (s: CallSession, p: string) => [
        ...s.handle({ type: 'PromptFinished', callId: s.callId, at: at(1), promptId: p }),
        ...s.handle({ type: 'TimerFired', callId: s.callId, at: at(5001), timer: 'gate' }),
      ],
      'announced',
    ],
  ] as const)('on demand, %s: the prompt plays but nothing records until *44', (_n, over, consent, outcome) => {
    const { s, cmds } = gate(facts(), decision({ record: 'on-demand', ...over }));
    const play = cmds.find((c) => c.type === 'Play');
    expect(play).toBeDefined();
    const out = consent(s, (play as Extract<Command, { type: 'Play' }>).promptId);
    expect(out.find((c) => c.type === 'SetDecision')).toMatchObject({ record: false, file: null });
    expect(s.view()).toMatchObject({ state: 'not_recorded', consentOutcome: outcome, recording: null });
    const started = s.handle({
      type: 'FeatureRequested',
      callId: s.callId,
      at: at(6000),
      action: 'start',
      by: 'feature',
    });
    expect(started.find((c) => c.type === 'StartRecording')).toMatchObject({
      file: FILE.pbxPath,
      recorder: { fromAnswer: false, beepEverySeconds: null, stereo: false },
    });
  });

  it.each([
    ["inbound: the agent who answers is the call's agent", facts(), '202', ['202']],
    [
      'outbound: the agent placing the call stays, the callee answering is no agent',
      facts({ direction: 'outbound', agent: '201' }),
      '201',
      ['201'],
    ],
  ])('%s', (_n, f, agent, agents) => {
    const { s } = gate(f, decision({ consent: 'none', greeting: null }));
    const out = s.handle({
      type: 'PartyChanged',
      callId: s.callId,
      at: at(200),
      kind: 'answered',
      party: 'PJSIP/trunk-0001',
      agent: f.direction === 'outbound' ? '3125550112' : '202',
    });
    expect(s.view()).toMatchObject({ agent, agents });
    // The party is looked up (ResolveParty): an inbound agent's own mode applies; an outbound call's was decided at the gate.
    expect(types(out)).toEqual(
      f.direction === 'outbound' ? ['Timeline', 'ResolveParty'] : ['Persist', 'Timeline', 'ResolveParty'],
    );
  });

  it('keeps one recording through a transfer and shows the new party', () => {
    const s = recording();
    s.handle({
      type: 'PartyChanged',
      callId: s.callId,
      at: at(200),
      kind: 'answered',
      party: 'PJSIP/201-0001',
      agent: '201',
    });
    const out = s.handle({
      type: 'PartyChanged',
      callId: s.callId,
      at: at(900),
      kind: 'transfer',
      party: 'PJSIP/305-0002',
      agent: '305',
    });
    expect(out).toEqual([
      { type: 'Persist', callId: s.callId, call: true, recording: true },
      expect.objectContaining({
        type: 'Timeline',
        event: 'transfer',
        detail: { party: 'PJSIP/305-0002', previous: 'PJSIP/201-0001', agent: '305' },
      }),
      { type: 'ResolveParty', callId: s.callId, party: '305', asUser: true },
    ]);
    expect(s.view()).toMatchObject({ agent: '201', agents: ['201', '305'] });
    expect(s.view().state).toBe('recording');
  });
});

/**
 * The PBX reports `agent` on channel `party` (answer or transfer) and the registry resolves them:
 * `user`, their recording mode; `requires`, what their number requires.
 */
function partyJoins(
  s: CallSession,
  o: { party: string; agent: string; ms: number; asUser: boolean; user?: UserRule | null; requires?: PartyConsent },
): Command[] {
  const asked = s.handle({
    type: 'PartyChanged',
    callId: s.callId,
    at: at(o.ms),
    kind: s.view().party ? 'transfer' : 'answered',
    party: o.party,
    agent: o.agent,
  });
  expect(asked.find((c) => c.type === 'ResolveParty')).toEqual({
    type: 'ResolveParty',
    callId: s.callId,
    party: o.agent,
    asUser: o.asUser,
  });
  const none: PartyConsent = { consent: 'none', jurisdiction: null, why: `${o.agent} is not a phone number` };
  return s.handle({
    type: 'PartyResolved',
    callId: s.callId,
    at: at(o.ms + 5),
    party: o.agent,
    user: o.user ?? null,
    requires: o.requires ?? none,
  });
}

describe('CallSession party moves', () => {
  it('takes the same agent on another channel (a Local channel optimized away) as no move', () => {
    const { s } = gate(facts(), decision({ consent: 'none', greeting: null }));
    const party = (p: string, agent: string, ms: number) =>
      s.handle({ type: 'PartyChanged', callId: s.callId, at: at(ms), kind: 'transfer', party: p, agent });
    party('Local/agent202@it-1;1', '202', 100);
    expect(types(party('Local/305@it-2;1', '305', 900))).toContain('Timeline');
    expect(party('Local/agent305@it-3;1', '305', 950)).toEqual([]);
    expect(s.view()).toMatchObject({ party: 'Local/agent305@it-3;1', agents: ['202', '305'] });
  });

  it("an unbridge that already names the next party (FreeSWITCH's uuid_bridge) leaves the move to the bridge", () => {
    const { s } = gate(facts(), decision({ consent: 'none', greeting: null }));
    const ev = (kind: 'answered' | 'left', p: string, agent: string, ms: number) =>
      s.handle({ type: 'PartyChanged', callId: s.callId, at: at(ms), kind, party: p, agent });
    ev('answered', 'loopback/202-a', '202', 100);
    const left = ev('left', 'loopback/305-a', '305', 900);
    expect(left).toEqual([
      expect.objectContaining({ type: 'Timeline', event: 'left', detail: { party: 'loopback/202-a', agent: '202' } }),
    ]);
    const moved = ev('answered', 'loopback/305-a', '305', 950);
    expect(moved).toContainEqual(expect.objectContaining({ type: 'Timeline', event: 'transfer' }));
    expect(s.view()).toMatchObject({ agents: ['202', '305'] });
  });
});

describe('CallSession user modes (the agent who takes the call)', () => {
  const user = (over: Partial<UserRule> = {}): UserRule => ({
    id: '202',
    name: null,
    mode: 'always',
    pause: null,
    tier: null,
    ...over,
  });
  /** The call answered by agent 202, whose mode the registry then resolved as `u`. */
  function answeredBy(s: CallSession, u: UserRule | null, agent = '202', ms = 200): Command[] {
    return partyJoins(s, { party: `PJSIP/${agent}-0001`, agent, ms, asUser: true, user: u });
  }
  const userMode = (out: Command[]) =>
    (out.find((c) => c.type === 'Timeline' && c.event === 'user-mode') as Extract<Command, { type: 'Timeline' }>)
      ?.detail;
  const onDemand = () => gate(facts(), decision({ record: 'on-demand', consent: 'none', greeting: null })).s;

  it('an always user answering an on-demand call records from the answer, with no pause', () => {
    const s = onDemand();
    const out = answeredBy(s, user());
    expect(out.find((c) => c.type === 'StartRecording')).toMatchObject({ file: FILE.pbxPath });
    expect(s.view()).toMatchObject({ state: 'recording', pauseAllowed: false });
    expect(s.view().recording).toMatchObject({ recordMode: 'from-answer' });
    expect(userMode(out)).toMatchObject({ agent: '202', mode: 'always', action: 'start' });
    expect(types(out).indexOf('Persist')).toBeLessThan(types(out).indexOf('StartRecording'));
  });

  it('an on-demand user leaves it to *44; pause follows the user, and so does a longer tier', () => {
    const s = onDemand();
    const out = answeredBy(s, user({ mode: 'on-demand', tier: 'extended' }));
    expect(pbxTypes(out)).toEqual([]);
    expect(userMode(out)).toMatchObject({ action: 'wait' });
    expect(s.view()).toMatchObject({ state: 'not_recorded', pauseAllowed: true });
    expect(s.view().decision?.tier).toBe('extended');
    const started = s.handle({ type: 'FeatureRequested', callId: s.callId, at: at(900), action: 'start', by: '202' });
    expect(pbxTypes(started)).toEqual(['StartRecording']);
  });

  it("keeps the gate's recording, and the user's pause permission replaces the rule's", () => {
    const { s } = gate(facts(), decision({ consent: 'none', greeting: null, pauseAllowed: true }));
    s.handle({ type: 'RecordingStarted', callId: s.callId, at: at(100), file: FILE.pbxPath, recorderId: null });
    const out = answeredBy(s, user({ mode: 'always' }));
    expect(pbxTypes(out)).toEqual([]);
    expect(userMode(out)).toMatchObject({ action: 'keep' });
    expect(s.refusal('pause')).toMatchObject({ kind: 'not-allowed' });
    answeredBy(s, user({ id: '305', mode: 'always-with-pause' }), '305', 900);
    expect(s.refusal('pause')).toBeNull();
    // 305 pauses; transferred back, 202's own mode again: no pause, so the recording resumes.
    s.handle({ type: 'FeatureRequested', callId: s.callId, at: at(1000), action: 'pause', by: '305' });
    expect(s.view().state).toBe('paused');
    const back = answeredBy(s, user(), '202', 1500);
    expect(pbxTypes(back)).toEqual(['ResumeRecording']);
    expect(userMode(back)).toMatchObject({ action: 'resume' });
    expect(s.view().state).toBe('recording');
    expect(s.refusal('pause')).toMatchObject({ kind: 'not-allowed' });
  });

  it('never records a caller who declined, and never starts where the rule is off', () => {
    const declined = new CallSession('c2', facts(), SETTINGS);
    declined.handle({
      type: 'Decided',
      callId: 'c2',
      at: T0,
      decision: decision({
        record: 'on-demand',
        consent: 'opt-in',
        greeting: { prompt: 'opt-in', sound: 'x', language: 'en' },
      }),
      reason: null,
      file: FILE,
    });
    declined.handle({ type: 'DtmfReceived', callId: 'c2', at: at(1), digit: '2' });
    const out = answeredBy(declined, user());
    expect(pbxTypes(out)).toEqual([]);
    expect(userMode(out)).toMatchObject({ action: 'none' });
    expect(declined.view().state).toBe('not_recorded');
    const off = gate(facts(), decision({ record: 'off', consent: 'none', greeting: null })).s;
    expect(pbxTypes(answeredBy(off, user()))).toEqual([]);
    expect(off.view().state).toBe('not_recorded');
  });

  it('never starts for a caller who did not hear the announcement (the gate gave up), by mode or *44', () => {
    const { s, cmds } = gate(facts(), decision({ record: 'on-demand', consent: 'announce' }));
    const play = cmds.find((c) => c.type === 'Play') as Extract<Command, { type: 'Play' }>;
    s.handle({ type: 'PromptFinished', callId: s.callId, at: at(50), promptId: play.promptId, failure: 'no file' });
    expect(s.view().consentOutcome).toBe('fallback');
    const out = answeredBy(s, user());
    expect(pbxTypes(out)).toEqual([]);
    expect(userMode(out)).toMatchObject({ action: 'none' });
    expect(s.refusal('start')).toMatchObject({ kind: 'not-allowed' });
  });

  it('a transfer to an always user starts the recording an on-demand user did not', () => {
    const s = onDemand();
    expect(pbxTypes(answeredBy(s, user({ mode: 'on-demand' })))).toEqual([]);
    const out = answeredBy(s, user({ id: '305' }), '305', 900);
    expect(pbxTypes(out)).toEqual(['StartRecording']);
    expect(s.view()).toMatchObject({ state: 'recording', agents: ['202', '305'] });
  });

  it('an agent who is no configured user changes nothing', () => {
    const s = onDemand();
    expect(answeredBy(s, null)).toEqual([]);
    expect(s.view().state).toBe('not_recorded');
  });
});

describe('CallSession re-announce when a transfer reaches a stricter party', () => {
  const CA: PartyConsent = {
    consent: 'announce',
    jurisdiction: 'US-CA',
    why: 'the new party +14155550100 is in US-CA',
  };
  const recordingCall = (d: Partial<GateDecision> = { consent: 'none', greeting: null }) => {
    const { s, cmds } = gate(facts({ answered: true }), decision(d));
    const play = cmds.find((c) => c.type === 'Play') as Extract<Command, { type: 'Play' }> | undefined;
    if (play) s.handle({ type: 'PromptFinished', callId: s.callId, at: at(50), promptId: play.promptId });
    s.handle({ type: 'RecordingStarted', callId: s.callId, at: at(100), file: FILE.pbxPath, recorderId: null });
    return s;
  };
  const transferTo = (s: CallSession, number: string, requires = CA, ms = 1000) =>
    partyJoins(s, { party: `PJSIP/trunk-${ms}`, agent: number, ms, asUser: true, requires });

  it('plays the announcement to the call again when a one-party call reaches California, once', () => {
    const s = recordingCall();
    const out = transferTo(s, '4155550100');
    expect(out.find((c) => c.type === 'Announce')).toMatchObject({ sound: 'callrec/announce', language: 'en' });
    expect(out.find((c) => c.type === 'Timeline')).toMatchObject({
      event: 're-announced',
      detail: { party: '4155550100', jurisdiction: 'US-CA', requires: 'announce', heard: 'none' },
    });
    expect(s.view().state).toBe('recording');
    expect(transferTo(s, '4155550111', CA, 2000)).toEqual([]);
  });

  it("announces to a blind transfer's party once it answers, named by the number the call was sent to", () => {
    const s = recordingCall();
    partyJoins(s, { party: 'PJSIP/202-1', agent: '202', ms: 100, asUser: true });
    const sent = s.handle({
      type: 'PartyChanged',
      callId: s.callId,
      at: at(500),
      kind: 'transferring',
      party: '4155550100@ctx',
      agent: '4155550100',
    });
    expect(types(sent)).toEqual(['Timeline']); // nobody answered there yet: nothing to resolve
    const answered = s.handle({
      type: 'PartyChanged',
      callId: s.callId,
      at: at(900),
      kind: 'transfer',
      party: 'PJSIP/carrier-0001',
      agent: 'carrier',
    });
    expect(answered.find((c) => c.type === 'ResolveParty')).toMatchObject({ party: '4155550100' });
    const out = s.handle({
      type: 'PartyResolved',
      callId: s.callId,
      at: at(905),
      party: '4155550100',
      user: null,
      requires: CA,
    });
    expect(out.find((c) => c.type === 'Announce')).toBeDefined();
    expect(s.view().agents).toEqual(['202', '4155550100']);
  });

  it('does nothing when the caller already heard enough, or nothing is recording', () => {
    const announced = recordingCall({ consent: 'announce' });
    expect(transferTo(announced, '4155550100')).toEqual([]);
    const onDemand = gate(facts(), decision({ record: 'on-demand', consent: 'none', greeting: null })).s;
    expect(transferTo(onDemand, '4155550100')).toEqual([]);
  });

  it('stops the recording when the party requires a key press the call cannot ask for now', () => {
    const s = recordingCall();
    const out = transferTo(s, '+4930123456', { consent: 'opt-in', jurisdiction: 'DE', why: 'in DE' });
    expect(pbxTypes(out)).toEqual(['StopRecording']);
    expect(out.find((c) => c.type === 'Timeline')).toMatchObject({ event: 'consent-not-enough' });
    expect(s.view().state).toBe('finalizing');
  });

  it('stops the recording when the announcement could not be played', () => {
    const s = recordingCall();
    transferTo(s, '4155550100');
    expect(failed(s, 1100, 'Announce', 'timeout', 'no snoop')).toEqual(['StopRecording']);
    expect(s.view().state).toBe('finalizing');
  });
});

describe('CallSession immediate release', () => {
  /** The gate released at once (bad arguments, or a call swept at reconnect). */
  const decidedAtOnce = (s: CallSession, callId: string, d: GateDecision | null, reason: string, swept = false) =>
    s.handle({ type: 'Decided', callId, at: T0, decision: d, reason, file: FILE, immediate: true, swept });

  it('releases a call with bad gate arguments at once, without a prompt', () => {
    const s = new CallSession('c9', facts(), SETTINGS);
    const out = decidedAtOnce(s, 'c9', null, 'unknown Stasis arguments ["x"]');
    expect(pbxTypes(out)).toEqual(['Watch', 'Continue']);
    expect(s.view().fallbackReason).toBe('unknown Stasis arguments ["x"]');
  });

  // Measured on Asterisk 22: `continue` waits for a running playback, so a swept call whose
  // greeting the dead controller started must have it stopped, or it waits out the prompt.
  it.each([
    [
      'opt-in without a yes stays unrecorded',
      decision({ consent: 'opt-in', greeting: { prompt: 'opt-in', sound: 'callrec/opt-in', language: 'en' } }),
      ['Watch', 'StopPrompt', 'SetDecision', 'Continue'],
      false,
    ],
    [
      'an interrupted announcement goes to the dialplan fallback',
      decision({ record: 'from-ringing' }),
      ['Watch', 'StopPrompt', 'Continue'],
      null,
    ],
    ['nothing stored: the dialplan fallback', null, ['Watch', 'StopPrompt', 'Continue'], null],
  ])('swept after a restart: stops the old prompt; %s', (_name, d, expected, record) => {
    const s = new CallSession('c10', facts(), SETTINGS);
    const out = decidedAtOnce(s, 'c10', d, 'found waiting in the gate at (re)connect', true);
    expect(pbxTypes(out)).toEqual(expected);
    expect(out).toContainEqual(expect.objectContaining({ type: 'StopPrompt', promptId: 'callrec-c10-1' }));
    const set = out.find((c) => c.type === 'SetDecision');
    if (record === null) expect(set).toBeUndefined();
    else expect(set).toMatchObject({ record });
  });
});
