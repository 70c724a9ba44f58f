// The call facts the gate gives the policy (dialed number, direction, campaign, agent) and the
// agent learned at answer, from events shaped as the real PBXes send them (test/fixtures: Asterisk
// 22.10.1 ARI trace, FreeSWITCH 1.10.12 CHANNEL_DATA and CHANNEL_BRIDGE captures).
import fs from 'node:fs';
import path from 'node:path';
import { answeringAgent, asChannel, endpointOf, toPbxEvent } from '../../controller/src/pbx/asterisk/events';
import { FrameParser } from '../../controller/src/pbx/freeswitch/esl/frame';
import { gateFacts as fsGateFacts, toPbxEvent as fsEvent } from '../../controller/src/pbx/freeswitch/events';

const fixture = (name: string) => fs.readFileSync(path.join(__dirname, '../fixtures', name), 'utf8');
const lines = (name: string) =>
  fixture(name)
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

const ari = lines('asterisk-22.10.1-q4-gate-subscribe-dtmf.callrec.jsonl');
const stasisStart = ari.find((e) => e.type === 'StasisStart') as Record<string, unknown> & {
  channel: Record<string, unknown>;
};
const dialAnswer = ari.find((e) => e.type === 'Dial' && e.dialstatus === 'ANSWER') as Record<string, unknown> & {
  caller: Record<string, unknown>;
};

/** The trace's StasisStart (inside the Gosub: exten `s`, no connected line) with these args and caller. */
const gate = (args: string[], caller = '2125550123') =>
  toPbxEvent({ ...stasisStart, args, channel: { ...stasisStart.channel, caller: { name: '', number: caller } } });

describe('Asterisk gate facts (StasisStart of Stasis(<app>,gate,flow,applet,direction,campaign,agent,to))', () => {
  it('is the trace of a gate inside its Gosub: exten s, connected line empty', () => {
    expect(stasisStart.channel).toMatchObject({ dialplan: { exten: 's' }, connected: { number: '' } });
  });

  it.each([
    [
      'the dialed number the dialplan read from the calling frame',
      ['gate', 'it', 'did', '', '', '', '2125550199'],
      { to: '2125550199', direction: 'inbound', campaign: null, agent: null },
    ],
    [
      'an outbound call with campaign and agent',
      ['gate', 'it', 'did', 'outbound', 'camp-y', '201', '3125550112'],
      { to: '3125550112', direction: 'outbound', campaign: 'camp-y', agent: '201' },
    ],
    [
      'a gate of the old two-argument form: no number (exten s is none)',
      ['gate', 'it', 'did'],
      { to: null, direction: 'inbound' },
    ],
    ['the fallback placeholder', ['gate', 'it', 'did', '', '', '', 'unknown'], { to: null }],
  ])('%s', (_name, args, expected) => {
    const ev = gate(args);
    expect(ev).toMatchObject({
      type: 'GateEntered',
      problem: null,
      facts: { flow: 'it', applet: 'did', from: '2125550123', ...expected },
    });
  });

  it('refuses an unknown direction rather than taking it for inbound', () => {
    expect(gate(['gate', 'it', 'did', 'outgoing'])).toMatchObject({
      problem: expect.stringMatching(/direction "outgoing"/),
    });
  });
});

describe('Asterisk answering agent (Dial ANSWER, BRIDGEPEER)', () => {
  const dial = (connected: string, callerNumber = '') =>
    toPbxEvent({
      ...dialAnswer,
      caller: {
        ...dialAnswer.caller,
        caller: { name: '', number: callerNumber },
        connected: { name: '', number: connected },
      },
    });

  it('takes the connected line the answering phone sent', () => {
    expect(dial('202')).toMatchObject({
      type: 'PartyChanged',
      kind: 'answered',
      party: 'Local/agent@hp-agents-00000a41;1',
      agent: '202',
    });
  });

  it('takes the answering endpoint when there is no connected line, or it is the caller again', () => {
    expect(dial('')).toMatchObject({ agent: 'agent' });
    expect(dial('2125550123', '2125550123')).toMatchObject({ agent: 'agent' });
  });

  it.each([
    ['PJSIP/201-0000001a', '201'],
    ['Local/201@from-queue-0000002b;1', '201'],
    ['PJSIP/front-desk-0000001a', 'front-desk'],
    ['junk', null],
  ])('endpoint of %s is %s', (name, expected) => {
    expect(endpointOf(name)).toBe(expected);
  });

  it('a new bridged peer (a transfer) names its agent', () => {
    const varset = ari.find((e) => e.type === 'ChannelVarset') as Record<string, unknown>;
    expect(toPbxEvent({ ...varset, variable: 'BRIDGEPEER', value: 'PJSIP/305-0000000b' })).toMatchObject({
      type: 'PartyChanged',
      kind: 'transfer',
      agent: '305',
    });
    expect(answeringAgent(asChannel(dialAnswer.caller)!, 'PJSIP/202-00000001')).toBe('202');
  });

  it('a blind transfer names the extension the transferee was sent to, before any peer answers', () => {
    const varset = ari.find((e) => e.type === 'ChannelVarset') as Record<string, unknown>;
    const caller = varset.channel as { id: string };
    const agentLeg = { ...caller, id: '1795498544.161', name: 'Local/agent202ca@it-00000051;1' };
    const blind = (over: Record<string, unknown>) =>
      toPbxEvent({
        type: 'BridgeBlindTransfer',
        timestamp: varset.timestamp,
        channel: agentLeg,
        transferee: caller,
        exten: '4155550100',
        context: 'callrec-it-acc',
        result: 'Success',
        is_external: false,
        ...over,
      });
    expect(blind({})).toMatchObject({
      type: 'PartyChanged',
      callId: caller.id,
      kind: 'transferring',
      party: '4155550100@callrec-it-acc',
      agent: '4155550100',
    });
    expect(blind({ result: 'Fail' })).toBeNull();
    expect(blind({ transferee: undefined })).toBeNull();
  });

  it("a transfer over a trunk names the number dialed (the connected line), a phone's its own number", () => {
    const varset = ari.find((e) => e.type === 'ChannelVarset') as Record<string, unknown>;
    const channel = { ...(varset.channel as object), connected: { name: '', number: '4155550100' } };
    const peer = (value: string) => toPbxEvent({ ...varset, channel, variable: 'BRIDGEPEER', value });
    expect(peer('PJSIP/carrier-0000000c')).toMatchObject({ kind: 'transfer', agent: '4155550100' });
    // The connected line may still be the previous party's: a peer named by its number wins.
    expect(peer('PJSIP/305-0000000b')).toMatchObject({ kind: 'transfer', agent: '305' });
  });
});

describe('FreeSWITCH gate facts (CHANNEL_DATA of the outbound socket)', () => {
  const [data] = new FrameParser().push(Buffer.from(fixture('freeswitch-1.10.12-outbound-socket.controller-wire.txt')));
  const headers = { ...data?.headers, variable_callrec_flow: 'it', variable_callrec_applet: 'did' };

  it.each([
    ['the caller profile destination when callrec_to is not set', {}, '3000'],
    ['the gate\'s own "unknown" for an unset callrec_to', { variable_callrec_to: 'unknown' }, '3000'],
    ['callrec_to when the admin set it', { variable_callrec_to: '2125550199' }, '2125550199'],
    [
      "no number when the profile carries the gate's own extension",
      { 'Caller-Destination-Number': 'callrec_gate' },
      null,
    ],
  ])('to is %s', (_name, over, to) => {
    expect(fsGateFacts({ ...headers, ...over }, { language: 'en' }).facts.to).toBe(to);
  });

  it('reads direction, campaign and agent from the documented variables', () => {
    const { facts } = fsGateFacts(
      {
        ...headers,
        variable_callrec_direction: 'outbound',
        variable_callrec_campaign: 'camp-y',
        variable_callrec_agent: '201',
      },
      { language: 'en' },
    );
    expect(facts).toMatchObject({ direction: 'outbound', campaign: 'camp-y', agent: '201', from: '+14155550100' });
    expect(fsGateFacts({ ...headers, variable_callrec_direction: 'outgoing' }, { language: 'en' }).problem).toMatch(
      /callrec_direction is "outgoing"/,
    );
  });
});

describe('FreeSWITCH answering agent (CHANNEL_BRIDGE)', () => {
  const bridge = lines('freeswitch-1.10.12-feature-codes.events.jsonl').find(
    (e) => e['Event-Name'] === 'CHANNEL_BRIDGE',
  ) as Record<string, string>;

  it("is the bridged leg's destination, not its caller id (which is our caller's)", () => {
    expect(bridge['Other-Leg-Caller-ID-Number']).toBe(bridge['Caller-Caller-ID-Number']);
    expect(fsEvent(bridge)).toMatchObject({
      type: 'PartyChanged',
      kind: 'answered',
      party: 'loopback/a-a',
      agent: 'a',
    });
    expect(fsEvent({ ...bridge, 'Other-Leg-Destination-Number': '202@pbx.example.com' })).toMatchObject({
      agent: '202',
    });
  });
});
