// Against a real FreeSWITCH (1.10.x) when CALLREC_IT_ESL_HOST is set, e.g.
//   CALLREC_IT_ESL_HOST=127.0.0.1 CALLREC_IT_ESL_PASSWORD=ClueCon npx jest test/realpbx/freeswitch
// The switch needs mod_loopback and a context the test can originate into (CALLREC_IT_ESL_CONTEXT,
// default "default", extension 9196 echo is stock). Recordings go to CALLREC_IT_FS_RECORDINGS.
import { EslSession, type EslEvent } from '../../controller/src/pbx/freeswitch/esl/session';
import { FreeswitchAdapter } from '../../controller/src/pbx/freeswitch/adapter';
import { loadConfig } from '../../controller/src/config';
import type { PbxEvent } from '../../controller/src/domain/pbx-events';
import { PLAIN_RECORDER } from '../../controller/src/domain/recorder-spec';
import { silentLogger } from '../../controller/src/util/logger';
import { WATCH_EVENTS } from '../../controller/src/pbx/freeswitch/dialplan-vars';

const host = process.env.CALLREC_IT_ESL_HOST;
const port = Number(process.env.CALLREC_IT_ESL_PORT ?? 8021);
const password = process.env.CALLREC_IT_ESL_PASSWORD ?? 'ClueCon';
const context = process.env.CALLREC_IT_ESL_CONTEXT ?? 'default';
const recDir = process.env.CALLREC_IT_FS_RECORDINGS ?? '/usr/local/freeswitch/recordings/callrec-it';

const until = async (cond: () => boolean, ms = 10000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};

if (!host) {
  describe('FreeSWITCH (real switch)', () => {
    it.skip('skipped: set CALLREC_IT_ESL_HOST (and CALLREC_IT_ESL_PASSWORD) to run against a real FreeSWITCH', () =>
      undefined);
  });
} else {
  describe('FreeSWITCH (real switch)', () => {
    jest.setTimeout(30000);

    it('answers api commands quickly with NoDelay (p50 well under the 42 ms Nagle stall)', async () => {
      const s = await EslSession.connect({ host, port, password, logger: silentLogger() });
      if (!s.ok) throw new Error(s.error.detail);
      const times: number[] = [];
      for (let i = 0; i < 20; i++) {
        const t0 = process.hrtime.bigint();
        const r = await s.value.api('status');
        expect(r.ok).toBe(true);
        times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
      s.value.close();
      times.sort((a, b) => a - b);
      expect(times[10]).toBeLessThan(20);
    });

    it('records a call with uuid_record, pauses by mask, and finalizes on RECORD_STOP', async () => {
      const cfg = loadConfig({
        CALLREC_PBX: 'freeswitch',
        CALLREC_ESL_HOST: host,
        CALLREC_ESL_PORT: String(port),
        CALLREC_ESL_PASSWORD: password,
      });
      const adapter = new FreeswitchAdapter(cfg, silentLogger(), { listenPort: 0 });
      const events: PbxEvent[] = [];
      adapter.onEvent((e) => events.push(e));
      const ac = new AbortController();
      await adapter.start(ac.signal);
      await until(() => adapter.status() === 'connected');
      const s = await EslSession.connect({ host, port, password, logger: silentLogger() });
      if (!s.ok) throw new Error(s.error.detail);
      const created = await s.value.api('create_uuid');
      if (!created.ok) throw new Error(created.error.detail);
      const uuid = created.value.trim();
      const file = `${recDir}/callrec-it-${uuid}.wav`;
      await s.value.bgapi(`originate {origination_uuid=${uuid}}loopback/9196/${context} &park`, 10000);
      await until(() => events.some((e) => e.type === 'CallAnswered' && e.callId === uuid));
      await expect(
        adapter.execute({ callId: uuid, type: 'StartRecording', file, recorder: { ...PLAIN_RECORDER, stereo: true } }),
      ).resolves.toMatchObject({ ok: true });
      await until(() => events.some((e) => e.type === 'RecordingStarted' && e.callId === uuid));
      await expect(
        adapter.execute({ callId: uuid, type: 'PauseRecording', mode: 'silence', recorderId: null }),
      ).resolves.toMatchObject({ ok: true });
      await expect(
        adapter.execute({ callId: uuid, type: 'ResumeRecording', mode: 'silence', file, recorder: PLAIN_RECORDER }),
      ).resolves.toMatchObject({ ok: true });
      await expect(adapter.execute({ callId: uuid, type: 'Hangup' })).resolves.toMatchObject({ ok: true });
      await until(() => events.some((e) => e.type === 'RecordingStopped' && e.callId === uuid));
      await until(() => events.some((e) => e.type === 'CallGone' && e.callId === uuid));
      const order = events.filter((e) => e.callId === uuid).map((e) => e.type);
      expect(order.indexOf('RecordingStopped')).toBeLessThan(order.indexOf('CallGone'));
      await expect(
        adapter.execute({ callId: '00000000-0000-0000-0000-000000000000', type: 'Hangup' }),
      ).resolves.toMatchObject({ ok: false });
      s.value.close();
      ac.abort();
      await adapter.stop();
    });

    it('watches with named events only and receives RECORD_* (not in myevents)', async () => {
      const s = await EslSession.connect({ host, port, password, logger: silentLogger() });
      if (!s.ok) throw new Error(s.error.detail);
      await expect(s.value.subscribe(WATCH_EVENTS, ['callrec::feature'])).resolves.toMatchObject({ ok: true });
      const seen: EslEvent[] = [];
      s.value.onEvent((e) => seen.push(e));
      s.value.close();
      expect(seen.every((e) => e.name !== 'HEARTBEAT')).toBe(true);
    });
  });
}
