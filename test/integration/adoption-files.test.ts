// After a restart, a recording is `completed` only when its file holds audio: a missing or
// header-only file is `failed` with the reason, on both adoption paths (calls/adoption.ts).
import fs from 'node:fs';
import { AriSim } from '../helpers/asterisk/ari-sim';
import { decision, fixedEngine, until, writeWav } from '../helpers/call-harness';
import { recordingAtConnect, startHarness, type Harness } from '../helpers/asterisk/gate-harness';
import { salesCall, salesRecording } from '../helpers/rows';

const ENGINE = fixedEngine({ answer: decision() });

type FileForm = 'missing' | 'header-only';
const FORMS: Array<[FileForm, RegExp]> = [
  ['missing', /file missing/],
  ['header-only', /header-only/],
];

function spoil(file: string, form: FileForm): void {
  if (form === 'missing') fs.rmSync(file, { force: true });
  else writeWav(file, 0);
}

describe('adoption after a restart never calls a file without audio completed', () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  // Not listed: adoption settles it from its file alone. Listed but gone (a stale list): followed, then settled.
  const CASES = FORMS.flatMap(
    ([form, reason]) =>
      [
        [form, false, reason],
        [form, true, reason],
      ] as Array<[FileForm, boolean, RegExp]>,
  );
  it.each(CASES)(
    'settles a call that ended while away with a %s file as failed, with the reason (listed: %s)',
    async (form, listed, reason) => {
      const sim = await AriSim.start();
      const ghost = sim.addChannel({ state: 'Up' });
      sim.channels.delete(ghost.id);
      if (listed) sim.listedGone.push(ghost);
      h = await startHarness({ sim, engine: ENGINE, connect: false });
      const call = await h.store.calls.insert(salesCall(ghost.id, { decision: decision() }));
      writeWav(`${h.dir}/2026/11/23/away.wav`, 1);
      spoil(`${h.dir}/2026/11/23/away.wav`, form);
      await h.store.recordings.insertId({ callId: call.id, ...salesRecording('2026/11/23/away.wav') });
      await h.adapter.start(h.abort.signal);
      await until(async () => (await h.store.calls.get(call.id))?.state === 'failed', 8000, 'settled');
      const [rec] = await h.store.recordings.forCall(call.id);
      expect(rec).toMatchObject({ state: 'failed', failureReason: expect.stringMatching(reason) });
      if (!listed) expect(rec?.failureReason).toMatch(/ended while the controller was away/);
      expect(rec?.sha256).toBeNull();
    },
  );

  it.each(FORMS)(
    'fails a recording adopted at reconnect whose file is %s at hangup, with the reason',
    async (form, reason) => {
      h = await startHarness({ engine: ENGINE, connect: false });
      const { file, call, channelId } = await recordingAtConnect(h, {
        relPath: (id) => `2026/11/23/adopted-${id}.wav`,
        seconds: 2,
      });
      await until(() => h.adapter.follows(channelId), 2000, 'followed');
      spoil(file, form);
      h.sim.hangup(channelId);
      await until(
        async () =>
          !['recording', 'finalizing'].includes((await h.store.recordings.forCall(call.id))[0]?.state ?? 'recording'),
        8000,
        'settled',
      );
      const [rec] = await h.store.recordings.forCall(call.id);
      expect(rec).toMatchObject({ state: 'failed', failureReason: expect.stringMatching(reason) });
      expect(rec?.durationMs ?? null).toBeNull();
    },
  );
});
