// The decision in `continue` itself (issue 23): for a call whose dialplan names gate contract 2
// (the decision extensions) and names files under the controller's root, the gate makes
// one request: continue, no subscription (the events websocket follows every channel), no variables request.
import path from 'node:path';
import { decision, fixedEngine, until, writeWav } from '../helpers/call-harness';
import { startHarness, type Harness } from '../helpers/asterisk/gate-harness';

const ENGINE = fixedEngine({
  answer: decision({ consent: 'none', greeting: null }),
  ringing: decision({ record: 'from-ringing', consent: 'none', greeting: null, beep: true, stereo: true }),
  off: decision({ record: 'off', consent: 'none', greeting: null }),
  announced: decision({ record: 'from-ringing' }),
});

async function reconnectWith(h: Harness, globals: Record<string, string>): Promise<void> {
  h.sim.globals.clear();
  for (const [k, v] of Object.entries(globals)) h.sim.globals.set(k, v);
  const sweeps = h.sim.requests.filter((r) => r.path === '/channels').length;
  h.sim.dropClients();
  await until(() => h.sim.requests.filter((r) => r.path === '/channels').length > sweeps, 8000, 'reconnect sweep');
}

describe('the Asterisk gate with the decision in continue', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ engine: ENGINE, playbackMs: 100, decisionInContinue: true });
  });
  afterAll(async () => {
    await h.close();
  });
  beforeEach(async () => {
    for (const id of [...h.sim.channels.keys()]) h.sim.hangup(id);
    // What the previous test left in flight (a reconnect's sweep, its calls' hangups) is done first.
    await h.registry.settled();
    await new Promise((r) => setTimeout(r, 50));
    h.sim.requests.length = 0;
  });

  async function gate(applet: string, contract = '2') {
    h.sim.onRecord = (_id, file) => writeWav(file, 2);
    const ch = h.sim.addChannel();
    h.sim.enterStasis(ch.id, ['gate', 'sales', applet, '', '', '', '', contract]);
    await until(() => h.sim.requests.some((r) => r.path.endsWith('/continue')), 5000, 'continue');
    return ch;
  }
  const requests = () =>
    h.sim.requests.map(
      (r) => `${r.method} ${r.path.replace(/\/channels\/[^/]+/, '/channels/ID').replace(/\/play\/.*/, '/play')}`,
    );

  it('leaves the gate with one request, continue into the extension that names the decision', async () => {
    const ch = await gate('ringing');
    expect(requests()).toEqual(['POST /channels/ID/continue']);
    const [go] = h.sim.requests;
    expect(go?.query).toEqual({
      context: 'callrec-gate',
      extension: expect.stringMatching(/^recaD15~\d{14}~\+13105550100~\+12125550123$/),
      priority: '1',
    });
    // The dialplan (as the simulator runs it) names the file the controller planned and stored.
    const vars = h.sim.state(ch.id)!.vars;
    expect(vars.get('CALLREC_OPTIONS')).toBe('B(15)D');
    await until(async () => (await h.store.calls.findByPbxId('pbx1', ch.id)) !== null, 5000, 'call row');
    const call = await h.store.calls.findByPbxId('pbx1', ch.id);
    const [rec] = await h.store.recordings.forCall(call!.id);
    expect(path.join(h.dir, rec!.filePath)).toBe(vars.get('CALLREC_FILE'));
    await until(async () => (await h.store.recordings.forCall(call!.id))[0]?.state === 'recording', 5000, 'recording');
    h.sim.hangup(ch.id);
    await until(async () => (await h.store.recordings.forCall(call!.id))[0]?.state === 'completed', 5000, 'completed');
  });

  it("follows every channel with one event filter, and reads only the gated calls' events", async () => {
    expect([...h.sim.allowed]).toEqual(expect.arrayContaining(['StasisStart', 'ChannelVarset', 'ChannelDestroyed']));
    expect(h.sim.allowed.has('ChannelDialplan')).toBe(false);
    const seen: string[] = [];
    const off = h.adapter.onEvent((e) => seen.push(`${e.type} ${e.callId}`));
    const other = h.sim.addChannel(); // a call on the PBX that never comes to the gate
    h.sim.setVar(other.id, 'MIXMONITOR_FILENAME', '/elsewhere/x.wav');
    h.sim.hangup(other.id);
    const ch = await gate('ringing');
    await until(() => seen.includes(`RecordingStarted ${ch.id}`), 5000, "the gated call's recorder event");
    off();
    expect(seen.filter((e) => e.endsWith(other.id))).toEqual([]);
    expect(h.adapter.follows(ch.id)).toBe(true);
    h.sim.hangup(ch.id);
    await until(() => !h.adapter.follows(ch.id), 5000, 'unfollowed at its end');
  });

  it('records from the answer with b', async () => {
    const ch = await gate('answer');
    expect(h.sim.requests.find((r) => r.path.endsWith('/continue'))?.query.extension).toMatch(/^recbM0~/);
    expect(h.sim.state(ch.id)!.vars.get('CALLREC_OPTIONS')).toBe('b');
  });

  it('continues into skip when the call is not recorded', async () => {
    const ch = await gate('off');
    expect(h.sim.requests.find((r) => r.path.endsWith('/continue'))?.query.extension).toBe('skip');
    expect(Object.fromEntries(h.sim.state(ch.id)!.vars)).toMatchObject({
      CALLREC_DECIDED: '1',
      CALLREC_ACTION: 'skip',
    });
  });

  it('after an announcement, still one request to leave the gate', async () => {
    await gate('announced');
    expect(requests()).toEqual(['POST /channels/ID/play', 'POST /channels/ID/continue']);
  });

  it('sets variables first for a call whose dialplan is an older install (no contract argument)', async () => {
    await gate('ringing', '');
    expect(requests()).toEqual(['POST /channels/ID/variables', 'POST /channels/ID/continue']);
    expect(h.sim.requests.at(-1)?.query).toEqual({});
  });

  it('sets variables first when the dialplan names files under another root', async () => {
    await reconnectWith(h, { CALLREC_DIR: '/elsewhere' });
    await new Promise((r) => setTimeout(r, 50));
    h.sim.requests.length = 0;
    await gate('ringing');
    expect(requests()).toEqual(['POST /channels/ID/variables', 'POST /channels/ID/continue']);
    expect(h.sim.requests.at(-1)?.query).toEqual({});
    await reconnectWith(h, { CALLREC_DIR: h.dir });
  });
});
