import crypto from 'node:crypto';
import path from 'node:path';
import { RulesService } from '../../controller/src/policy/service';
import { driveOutbound } from '../helpers/freeswitch/esl-outbound-driver';
import { startFsHarness, type FsHarness } from '../helpers/freeswitch/gate-harness';
import { until } from '../helpers/call-harness';
import { SETTINGS } from '../helpers/rules';

describe('the FreeSWITCH gate through registry, store and rules (SQLite)', () => {
  let h: FsHarness;
  beforeAll(async () => {
    h = await startFsHarness({
      policy: (store) => {
        const rules = new RulesService(store.rules, SETTINGS);
        return () => rules.engine();
      },
    });
    await h.store.rules.putFlow('sales', {
      applets: { ringing: { kind: 'dial', record: 'from-ringing', consent: 'announce' } },
    });
  });
  afterAll(async () => {
    await h.close();
  });

  it('stores the decision, plays the announcement as early media, then sets it, records from ringing and exits', async () => {
    const uuid = crypto.randomUUID();
    const run = await driveOutbound({
      port: h.gatePort,
      uuid,
      variables: { callrec_flow: 'sales', callrec_applet: 'ringing' },
      playbackMs: 20,
      timeoutMs: 3000,
    });
    expect(run.exited).toBe(true);
    // The recording's row trails the exit (the file is named in the channel by then).
    const stored = async () => {
      const c = await h.store.calls.findByPbxId('pbx1', uuid);
      return { call: c, recs: c ? await h.store.recordings.forCall(c.id) : [] };
    };
    await until(async () => (await stored()).recs.length > 0, 5000, 'the recording row');
    const { call, recs } = await stored();
    const [rec] = recs;
    const file = path.join(h.dir, rec?.filePath ?? 'missing');
    expect(run.commands.filter((c) => !c.startsWith('sendmsg'))).toEqual([
      'connect',
      'event json CHANNEL_EXECUTE_COMPLETE DTMF',
      'exit',
    ]);
    expect(run.apps).toEqual([
      { app: 'playback', arg: '/snd/en/callrec/announce.wav' },
      { app: 'set', arg: 'callrec_action=record' },
      { app: 'set', arg: `callrec_file=${file}` },
      { app: 'set', arg: `callrec_call_id=${call?.id}` },
      { app: 'set', arg: 'callrec_decided=true' },
      { app: 'record_session', arg: file },
    ]);
    expect(run.ms).toBeGreaterThanOrEqual(20);
    expect(rec).toMatchObject({ state: 'pending' });
    await until(
      async () => (await h.store.calls.get(call?.id ?? 0))?.consentOutcome === 'announced',
      2000,
      'the call row',
    );
  });

  it('stores a call that reached the gate without the snippet variables, with why, and lets it go at once', async () => {
    const uuid = crypto.randomUUID();
    const run = await driveOutbound({ port: h.gatePort, uuid, timeoutMs: 3000 });
    expect(run.exited).toBe(true);
    await until(async () => (await h.store.calls.findByPbxId('pbx1', uuid)) !== null, 2000, 'the call row');
    expect((await h.store.calls.findByPbxId('pbx1', uuid))?.fallbackReason).toMatch(/callrec_flow/);
  });
});
