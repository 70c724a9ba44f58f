import path from 'node:path';
import { STORE_KINDS } from '../helpers/db';
import { decision, fixedEngine, until, writeWav } from '../helpers/call-harness';
import { startHarness, type Harness } from '../helpers/asterisk/gate-harness';

const optIn = decision({ consent: 'opt-in', greeting: { prompt: 'opt-in', sound: 'callrec/opt-in', language: 'en' } });
const optOut = decision({
  consent: 'opt-out',
  greeting: { prompt: 'opt-out', sound: 'callrec/opt-out', language: 'en' },
});
const ENGINE = fixedEngine({
  answer: decision(),
  ringing: decision({ record: 'from-ringing', consent: 'none', greeting: null }),
  optin: optIn,
  optout: optOut,
});

const paths = (h: Harness) =>
  h.sim.requests.map(
    (r) =>
      `${r.method} ${r.path
        .replace(/\/channels\/[^/]+/, '/channels/ID')
        .replace(/\/play\/.*/, '/play')
        .replace(/subscription.*/, 'subscription')}`,
  );

async function gateCall(h: Harness, applet: string, seconds = 5) {
  h.sim.onRecord = (_id, file) => writeWav(file, seconds);
  const ch = h.sim.addChannel();
  h.sim.enterStasis(ch.id, ['gate', 'sales', applet]);
  return ch;
}

async function callRow(h: Harness, pbxId: string) {
  await until(async () => (await h.store.calls.findByPbxId('pbx1', pbxId)) !== null, 5000, 'call row');
  return (await h.store.calls.findByPbxId('pbx1', pbxId))!;
}

describe.each(STORE_KINDS)('the ARI gate over the simulator (%s)', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ kind, engine: ENGINE });
  });
  afterAll(async () => {
    await h.close();
  });

  it('announces as early media, stores the recording, continues, and completes it from the WAV', async () => {
    const ch = await gateCall(h, 'answer');
    await until(() => h.sim.requests.some((r) => r.path.endsWith('/continue')), 5000, 'continue');
    expect(paths(h)).toEqual(['POST /channels/ID/play', 'POST /channels/ID/variables', 'POST /channels/ID/continue']);
    const vars = h.sim.requests.find((r) => r.path.endsWith('/variables'))?.body as {
      variables: Record<string, string>;
    };
    const call = await callRow(h, ch.id);
    expect(vars.variables).toMatchObject({
      CALLREC_ACTION: 'record',
      CALLREC_OPTIONS: 'b',
      CALLREC_DECIDED: '1',
      CALLREC_CALL_ID: String(call.id),
    });
    expect(vars.variables.CALLREC_FILE).toMatch(
      new RegExp(
        `^${h.dir}/\\d{4}/\\d\\d/\\d\\d/\\d{14}-\\+13105550100-\\+12125550123-${ch.id.replace('.', '\\.')}\\.wav$`,
      ),
    );
    // The recording's row trails `continue` (the file is named in the channel by then).
    await until(async () => (await h.store.recordings.forCall(call.id)).length > 0, 5000, 'the recording row');
    const [pending] = await h.store.recordings.forCall(call.id);
    expect(pending?.filePath).toBe(path.relative(h.dir, vars.variables.CALLREC_FILE ?? ''));
    await until(async () => (await h.store.recordings.forCall(call.id))[0]?.state === 'recording', 5000, 'recording');
    h.sim.hangup(ch.id);
    await until(async () => (await h.store.recordings.forCall(call.id))[0]?.state === 'completed', 5000, 'completed');
    const rec = (await h.store.recordings.forCall(call.id))[0]!;
    expect(rec).toMatchObject({ durationMs: 5000, sizeBytes: 80044, state: 'completed' });
    expect(rec.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(rec.retainUntil!.getTime() - rec.endedAt!.getTime()).toBe(180 * 86_400_000);
    // the call row is written just after the recording row: wait for it rather than race it
    await until(async () => (await h.store.calls.get(call.id))?.state === 'done', 5000, 'call done');
    expect(await h.store.calls.get(call.id)).toMatchObject({ state: 'done', consentOutcome: 'announced' });
    const timeline = (await h.store.events.forCall(call.id)).map((e) => e.type);
    expect(timeline).toEqual(expect.arrayContaining(['decided', 'released', 'started', 'hangup', 'completed']));
  });
});

describe('the ARI gate modes', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ engine: ENGINE, playbackMs: 400 });
  });
  afterAll(async () => {
    await h.close();
  });
  beforeEach(() => {
    h.sim.requests.length = 0;
  });

  const varsOf = () =>
    (h.sim.requests.find((r) => r.path.endsWith('/variables'))?.body as { variables: Record<string, string> })
      .variables;

  it('records from ringing without a prompt (no b)', async () => {
    const ch = await gateCall(h, 'ringing');
    await until(() => h.sim.requests.some((r) => r.path.endsWith('/continue')));
    expect(paths(h)).toEqual(['POST /channels/ID/variables', 'POST /channels/ID/continue']);
    expect(varsOf()).toMatchObject({ CALLREC_ACTION: 'record', CALLREC_OPTIONS: '' });
    h.sim.hangup(ch.id);
  });

  it.each([
    ['opt-in accepted', 'optin', '1', 'record', 'accepted'],
    ['opt-in declined', 'optin', '2', 'skip', 'declined'],
    ['opt-out pressed', 'optout', '9', 'skip', 'opted-out'],
  ])('%s: answers, stops the prompt on the key, applies the answer', async (_n, applet, digit, action, outcome) => {
    const ch = await gateCall(h, applet);
    await until(() => h.sim.requests.some((r) => r.path.includes('/play/')));
    h.sim.dtmf(ch.id, digit);
    await until(() => h.sim.requests.some((r) => r.path.endsWith('/continue')));
    expect(paths(h)).toEqual([
      'POST /channels/ID/answer',
      'POST /channels/ID/play',
      'DELETE /playbacks/' + h.sim.requests[2]!.path.split('/').pop(),
      'POST /channels/ID/variables',
      'POST /channels/ID/continue',
    ]);
    expect(varsOf().CALLREC_ACTION).toBe(action);
    const call = await callRow(h, ch.id);
    await until(async () => (await h.store.calls.get(call.id))?.consentOutcome === outcome);
    expect((await h.store.recordings.forCall(call.id)).length).toBe(action === 'record' ? 1 : 0);
    h.sim.hangup(ch.id);
  });

  it('stores a caller hanging up during the greeting as such, with no recording and no continue', async () => {
    const ch = await gateCall(h, 'answer');
    await until(() => h.sim.requests.some((r) => r.path.includes('/play/')));
    h.sim.hangup(ch.id);
    const call = await callRow(h, ch.id);
    await until(async () => (await h.store.calls.get(call.id))?.state === 'not_recorded');
    expect(await h.store.calls.get(call.id)).toMatchObject({ consentOutcome: 'hung-up' });
    expect(await h.store.recordings.forCall(call.id)).toEqual([]);
    expect(paths(h)).not.toContain('POST /channels/ID/continue');
  });

  it.each([
    ['only the 44-byte header', (file: string) => writeWav(file, 0), /^no audio \(header-only file, 44 bytes\)$/],
    ['missing', () => {}, /^file missing: /],
  ])('fails a recording whose file is %s, with the reason, and the call with it', async (_what, write, reason) => {
    h.sim.onRecord = (_id, file) => write(file);
    const ch = h.sim.addChannel();
    h.sim.enterStasis(ch.id, ['gate', 'sales', 'ringing']);
    const call = await callRow(h, ch.id);
    await until(async () => (await h.store.recordings.forCall(call.id))[0]?.state === 'recording');
    h.sim.hangup(ch.id);
    await until(async () => (await h.store.recordings.forCall(call.id))[0]?.state === 'failed', 5000, 'failed');
    expect((await h.store.recordings.forCall(call.id))[0]?.failureReason).toMatch(reason);
    await until(async () => (await h.store.calls.get(call.id))?.state === 'failed', 5000, 'call failed');
  });
});
