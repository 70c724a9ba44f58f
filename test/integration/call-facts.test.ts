// The call facts through the whole controller path over the ARI simulator with the real policy
// and store: the dialed number, direction, campaign and agent decide the call and land on its
// rows; the answering agent and a transfer's agent are kept, and both find the recording.
import fs from 'node:fs';
import path from 'node:path';
import { visibleRecording } from '../../controller/src/api/access';
import type { ApiKeyRecord } from '../../controller/src/domain/api-keys';
import { parseRulesYaml } from '../../controller/src/policy/flows-yaml';
import { RulesService } from '../../controller/src/policy/service';
import { runCli } from '../helpers/cli';
import { until, writeWav } from '../helpers/call-harness';
import { startHarness, type Harness } from '../helpers/asterisk/gate-harness';
import { SETTINGS } from '../helpers/rules';

const RULES = `
account:
  inbound: { record: "off", consent: none }
  outbound: { record: from-answer, consent: none }
campaigns:
  camp-x: { record: "off" }
  camp-y: { record: from-answer, consent: announce }
flows:
  it:
    applets:
      did: { kind: dial, record: from-answer, consent: none }
      od: { kind: dial, record: on-demand, consent: none }
users:
  "202": { mode: always }
  "305": { mode: on-demand, tier: extended }
`;

// A Dial ANSWER as Asterisk 22.10.1 sent it (test/fixtures), for another caller and peer.
const DIAL = fs
  .readFileSync(path.join(__dirname, '../fixtures/asterisk-22.10.1-q4-gate-subscribe-dtmf.callrec.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.includes('"type":"Dial"') && l.includes('"ANSWER"'))
  .map((l) => JSON.parse(l) as Record<string, unknown>)[0] as Record<string, unknown>;

const agentKey = (agent: string): ApiKeyRecord => ({
  id: 1,
  name: agent,
  prefix: 'p',
  role: 'agent',
  agent,
  createdAt: new Date(),
  lastUsedAt: null,
  revokedAt: null,
});

describe('call facts over the ARI simulator, real policy and store', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      policy: (store) => {
        const rules = new RulesService(store.rules, SETTINGS);
        return () => rules.engine();
      },
    });
    const parsed = parseRulesYaml(RULES, 'facts.yaml');
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    await h.store.rules.importDocument(parsed.doc);
  });
  afterAll(async () => {
    await h.close();
  });

  async function gateCall(caller: string, args: string[], applet = 'did') {
    h.sim.onRecord = (_id, file) => writeWav(file, 2);
    const ch = h.sim.addChannel({ caller: { name: '', number: caller } });
    const from = h.sim.requests.length;
    h.sim.enterStasis(ch.id, ['gate', 'it', applet, ...args]);
    await until(
      () => h.sim.requests.slice(from).some((r) => r.path === `/channels/${ch.id}/continue`),
      5000,
      'continue',
    );
    // A recorded call's rows are written after its continue: wait for the controller's steps.
    await h.registry.settled();
    const call = (await h.store.calls.findByPbxId('pbx1', ch.id))!;
    const requests = h.sim.requests.slice(from).filter((r) => r.path.startsWith(`/channels/${ch.id}`));
    const vars = (requests.find((r) => r.path.endsWith('/variables'))?.body as { variables: Record<string, string> })
      .variables;
    return { ch, call, played: requests.some((r) => r.path.includes('/play')), vars };
  }

  it.each([
    ['a one-party caller to a DID under consent none: no prompt', '2125550123', false],
    ['a California caller to the same DID: announced', '4155550100', true],
  ])('%s, to stored in E.164', async (_name, caller, played) => {
    const r = await gateCall(caller, ['', '', '', '2125550199']);
    expect(r.played).toBe(played);
    expect(r.call).toMatchObject({ toNumber: '+12125550199', toRaw: '2125550199', direction: 'inbound' });
    expect(r.vars.CALLREC_FILE).toMatch(/-\+12125550199-/);
  });

  it.each([
    ['camp-x', 'skip', false],
    ['camp-y', 'record', true],
  ])(
    'an outbound call with campaign %s: %s, with direction, campaign and agent stored',
    async (campaign, action, played) => {
      const r = await gateCall('201', ['outbound', campaign, '201', '3125550112']);
      expect(r.vars.CALLREC_ACTION).toBe(action);
      expect(r.played).toBe(played);
      expect(r.call).toMatchObject({ direction: 'outbound', campaign, agent: '201', toNumber: '+13125550112' });
      const recs = await h.store.recordings.forCall(r.call.id);
      if (action === 'record') expect(recs[0]).toMatchObject({ direction: 'outbound', campaign, agent: '201' });
      else expect(recs).toHaveLength(0);
    },
  );

  it('callrec explain with the same direction, campaign and agent prints the decision the gate stored', async () => {
    const r = await gateCall('201', ['outbound', 'camp-y', '201', '3125550112']);
    // `callrec explain` for an outbound call from agent 201 (no argument holds a space).
    const explain = (to: string, campaign: string, more = '') => {
      const args = `explain --flow it --applet did --from 201 --to ${to} --direction outbound --campaign ${campaign}`;
      return runCli(`${args} --agent 201${more}`.split(' '), { CALLREC_DB_URL: h.tdb.url });
    };
    const json = await explain('3125550112', 'camp-y', ' --language en --json');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out.join('\n'))).toEqual(JSON.parse(JSON.stringify(r.call.decision)));
    const text = await explain('3125550111', 'camp-x');
    expect(text.out).toEqual(
      expect.arrayContaining(['call           outbound, campaign camp-x, agent 201', 'record         off']),
    );
  });

  /** The Dial answer as Asterisk sends it when `agent`'s phone picks up the call. */
  function answer(ch: { id: string }, agent: string): void {
    h.sim.push({
      ...DIAL,
      timestamp: new Date().toISOString().replace('Z', '+0000'),
      caller: { ...ch, state: 'Up', connected: { name: '', number: agent } },
      peer: { ...(DIAL.peer as object), name: `PJSIP/${agent}-00000001` },
    });
  }
  const userMode = async (callId: number) =>
    (await h.store.events.forCall(callId)).find((e) => e.type === 'user-mode')?.detail;

  it('an on-demand call answered by a user whose mode is always is recorded from the answer (MixMonitor over AMI)', async () => {
    const { ch, call } = await gateCall('2125550123', ['', '', '', '2125550199'], 'od');
    expect(call.state).toBe('not_recorded');
    const mixFrom = h.mix.calls.length;
    answer(ch, '202');
    await until(() => h.mix.calls.slice(mixFrom).some((c) => c.op === 'start'), 5000, 'MixMonitor started');
    await h.registry.settled();
    const [rec] = await h.store.recordings.forCall(call.id);
    expect(rec).toMatchObject({ recordMode: 'from-answer', agent: '202' });
    expect(await userMode(call.id)).toMatchObject({ agent: '202', mode: 'always', action: 'start' });
    h.sim.hangup(ch.id);
  });

  it('callrec explain --agent says what the answer handling does, with its reasons', async () => {
    const explain = (agent: string, more: string[] = []) =>
      runCli(
        [
          'explain',
          '--flow',
          'it',
          '--applet',
          'od',
          '--from',
          '2125550123',
          '--to',
          '2125550199',
          '--agent',
          agent,
          ...more,
        ],
        { CALLREC_DB_URL: h.tdb.url },
      );
    const always = await explain('202');
    expect(always.code).toBe(0);
    expect(always.out).toEqual(
      expect.arrayContaining([
        'record         on-demand',
        'when agent 202 answers (a caller who declined is never recorded):',
        '  then         recording starts at the answer',
        '  pause        not allowed',
        '  1. user "202" has mode always',
        "  2. records from the answer (the gate's rule was on-demand)",
      ]),
    );
    const json = JSON.parse((await explain('305', ['--json'])).out.join('\n')) as { atAnswer: unknown };
    expect(json.atAnswer).toMatchObject({ action: 'wait', pauseAllowed: true, tier: 'extended' });
    expect((await explain('999')).out).toContain(
      "agent 999 is not a configured user: the gate's decision stands when they answer",
    );
  });

  it('an on-demand user leaves the same call to *44: nothing records at the answer', async () => {
    const { ch, call } = await gateCall('2125550123', ['', '', '', '2125550199'], 'od');
    const mixFrom = h.mix.calls.length;
    answer(ch, '305');
    await until(async () => (await userMode(call.id)) !== undefined, 5000, 'the user mode applied');
    expect(await userMode(call.id)).toMatchObject({ agent: '305', mode: 'on-demand', action: 'wait' });
    expect(h.mix.calls.slice(mixFrom)).toEqual([]);
    expect(await h.store.recordings.forCall(call.id)).toEqual([]);
    h.sim.hangup(ch.id);
  });

  it('plays the announcement again over a snoop channel when a transfer reaches California, and hangs it up after', async () => {
    const { ch, call } = await gateCall('2125550123', ['', '', '', '2125550199']);
    answer(ch, '202');
    await until(async () => (await userMode(call.id)) !== undefined, 5000, 'the answer applied');
    const before = h.adapter.tracked();
    // A trunk answers the transfer with the number dialed as its connected line.
    h.sim.state(ch.id)!.ch.connected = { name: '', number: '4155550100' };
    h.sim.setVar(ch.id, 'BRIDGEPEER', 'PJSIP/carrier-0000000c');
    await until(() => h.sim.snoops.length > 0, 5000, 'a snoop channel');
    const snoop = h.sim.snoops[0]!;
    expect(snoop).toMatchObject({ of: ch.id, spy: 'none', whisper: 'both' });
    await until(
      () => h.sim.requests.some((r) => r.method === 'DELETE' && r.path === `/channels/${snoop.id}` && r.status === 204),
      5000,
      'the snoop channel hung up after its announcement',
    );
    const play = h.sim.requests.find((r) => r.path.startsWith(`/channels/${snoop.id}/play/`));
    expect(play).toMatchObject({ status: 201, query: { media: 'sound:callrec/announce' } });
    const events = await h.store.events.forCall(call.id);
    expect(events.find((e) => e.type === 're-announced')?.detail).toMatchObject({
      party: '4155550100',
      jurisdiction: 'US-CA',
      requires: 'announce',
      heard: 'none',
    });
    expect(h.adapter.tracked()).toBe(before); // nothing of the announcement left
    h.sim.hangup(ch.id);
  });

  it("stores the agent who answered on call and recording, adds a transfer's, and both find and open it", async () => {
    const { ch, call } = await gateCall('2125550123', ['', '', '', '2125550199']);
    h.sim.push({
      ...DIAL,
      timestamp: new Date().toISOString().replace('Z', '+0000'),
      caller: { ...ch, state: 'Up', connected: { name: '', number: '202' } },
      peer: { ...(DIAL.peer as object), name: 'PJSIP/202-00000001' },
    });
    await until(async () => (await h.store.calls.get(call.id))?.agent === '202', 5000, 'agent on the call');
    h.sim.setVar(ch.id, 'BRIDGEPEER', 'PJSIP/202-00000001');
    h.sim.setVar(ch.id, 'BRIDGEPEER', 'PJSIP/305-0000000b');
    const [rec] = await h.store.recordings.forCall(call.id);
    await until(async () => (await h.store.recordings.agentsOf(rec!.id)).length === 2, 5000, "the transfer's agent");
    expect(await h.store.recordings.get(rec!.id)).toMatchObject({ agent: '202' });
    // 305's own tier is extended: the recording is kept longer from then on (never shorter).
    await until(async () => (await h.store.recordings.get(rec!.id))?.tier === 'extended', 5000, "305's tier");
    expect(await h.store.recordings.agentsOf(rec!.id)).toEqual(expect.arrayContaining(['202', '305']));
    const timeline = (await h.store.events.forCall(call.id)).filter(
      (e) => e.type === 'party-answered' || e.type === 'transfer',
    );
    expect(timeline.map((e) => [e.type, e.detail?.agent])).toEqual([
      ['party-answered', '202'],
      ['transfer', '305'],
    ]);
    for (const agent of ['202', '305']) {
      await expect(visibleRecording(h.store, rec!.id, agentKey(agent))).resolves.toMatchObject({ id: rec!.id });
      const page = await h.store.search.search({ agent }, { limit: 10, order: 'desc' });
      expect(page.items.map((i) => i.id)).toContain(rec!.id);
    }
    await expect(visibleRecording(h.store, rec!.id, agentKey('999'))).rejects.toMatchObject({ status: 404 });
    h.sim.hangup(ch.id);
  });
});
