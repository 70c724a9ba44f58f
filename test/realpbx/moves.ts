// Issue 21's scenarios, the same on every PBX: the answering user's recording mode, and calls that
// move (attended transfer, a transfer to a party who needs the announcement). Each suite places
// the calls its own way through the shipped gate, in its call-facts context.
import { bridgedSeconds, eventsOf, expectTransferred, settledIn, type AcceptanceSuite } from './acceptance';
import type { PbxEvent } from '../../controller/src/domain/pbx-events';

type Gate = Extract<PbxEvent, { type: 'GateEntered' }>;

/** Added to the call-facts rules: user 202 is always recorded, 305 only on demand. */
export const USERS_YAML = `users:
  "202": { name: Ben, mode: always }
  "305": { name: Cleo, mode: on-demand }
`;

export interface MoveCalls {
  /** A New York caller on the on-demand applet, answered by agent 202 (about 4 s of audio). */
  onDemandBy202(): Promise<Gate>;
  /** The same, answered by agent 305 for about 9 s; the caller presses *44 about 3 s into it. */
  onDemandBy305WithStar44(): Promise<Gate>;
  /** A DID call agent 202 answers, then transfers attended to 305 (consults, then hangs up). */
  attended(): Promise<Gate>;
  /** A DID call (New York caller, consent none) agent 202 answers, then blind-transfers to 4155550100 in California. */
  toCalifornia(): Promise<Gate>;
  /** A DID call (consent none) into a queue or ring group whose member 202 answers (another rings unanswered). */
  queue(): Promise<Gate>;
}

export function moveScenarios(s: AcceptanceSuite, calls: MoveCalls): void {
  const timeline = (events: Array<{ type: string; detail: Record<string, unknown> | null }>, type: string) =>
    events.filter((e) => e.type === type).map((e) => e.detail ?? {});

  it('an on-demand call answered by a user whose mode is always is recorded from the answer', async () => {
    const gate = await calls.onDemandBy202();
    const { call, recs, events } = await settledIn(s, gate.callId);
    expect(call).toMatchObject({ agent: '202', consentOutcome: 'not-required' });
    expect(timeline(events, 'user-mode')).toEqual([
      expect.objectContaining({ agent: '202', mode: 'always', action: 'start' }),
    ]);
    expect(recs).toHaveLength(1);
    expect(recs[0]).toMatchObject({ recordMode: 'from-answer', state: 'completed' });
    const wav = s.checkFile(recs[0] as never, 'user-always');
    const bridged = bridgedSeconds(s, gate.callId, eventsOf(s, gate.callId, 'PartyChanged')[0]);
    s.figures['user-always'] = { ...(s.figures['user-always'] as object), bridgedSeconds: bridged };
    // From the answer: the file holds (nearly) the whole bridge.
    expect(bridged - wav).toBeLessThan(1.5);
  }, 40000);

  it('a user whose mode is on-demand records only from *44', async () => {
    const gate = await calls.onDemandBy305WithStar44();
    const { recs, events } = await settledIn(s, gate.callId);
    expect(timeline(events, 'user-mode')).toEqual([expect.objectContaining({ agent: '305', action: 'wait' })]);
    expect(events.map((e) => e.type)).toContain('start-requested');
    expect(recs).toHaveLength(1);
    expect(recs[0]).toMatchObject({ recordMode: 'on-demand' });
    const wav = s.checkFile(recs[0] as never, 'user-on-demand');
    const bridged = bridgedSeconds(s, gate.callId, eventsOf(s, gate.callId, 'PartyChanged')[0]);
    expect(bridged - wav).toBeGreaterThan(2);
  }, 40000);

  it('an attended transfer from 202 to 305 keeps one recording listed for both, both in the timeline', async () => {
    const gate = await calls.attended();
    const settled = await settledIn(s, gate.callId, 40000);
    s.figures.attended = eventsOf(s, gate.callId, 'PartyChanged').map((e) => ({ kind: e.kind, agent: e.agent }));
    await expectTransferred(s.controller(), settled, '202', '305');
    expect(settled.call.state).toBe('done');
  }, 60000);

  it('a queue or ring group answered by member 202: the answer is theirs, and so is the recording', async () => {
    const gate = await calls.queue();
    const { call, recs, events } = await settledIn(s, gate.callId, 40000);
    s.figures.queue = eventsOf(s, gate.callId, 'PartyChanged').map((e) => ({ kind: e.kind, agent: e.agent }));
    expect(call.agent).toBe('202');
    expect(timeline(events, 'party-answered')).toEqual([expect.objectContaining({ agent: '202' })]);
    expect(timeline(events, 'user-mode')).toEqual([expect.objectContaining({ agent: '202', action: 'keep' })]);
    expect(recs).toHaveLength(1);
    expect(await s.controller().store.recordings.agentsOf(recs[0]?.id ?? 0)).toEqual(['202']);
  }, 60000);

  it('a transfer to a California number plays the announcement again, and the timeline says so', async () => {
    const gate = await calls.toCalifornia();
    const { call, recs, events } = await settledIn(s, gate.callId, 40000);
    s.figures.reannounce = timeline(events, 're-announced');
    expect(call.consentOutcome).toBe('not-required');
    expect(timeline(events, 're-announced')).toEqual([
      expect.objectContaining({ party: '4155550100', jurisdiction: 'US-CA', requires: 'announce', heard: 'none' }),
    ]);
    expect(events.map((e) => e.type)).not.toContain('re-announce-failed');
    expect(recs).toHaveLength(1);
    expect(recs[0]?.state).toBe('completed');
  }, 60000);
}
