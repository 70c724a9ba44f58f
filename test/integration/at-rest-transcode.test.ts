// Compact storage: a completed WAV transcoded to Opus or MP3 by the distribution's ffmpeg before it
// is sealed; served with its own type, Range and download name. Without ffmpeg it stays WAV.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import { PassThrough } from 'node:stream';
import { AtRestWorker } from '../../controller/src/recordings/at-rest-worker';
import { Keyring, masterKeyId } from '../../controller/src/recordings/keyring';
import { findFfmpeg } from '../../controller/src/recordings/transcode';
import { createLogger } from '../../controller/src/util/logger';
import { startApi, type ApiHarness } from '../helpers/api';
import { toneWav } from '../helpers/browser';

const hasFfmpeg = (() => {
  try {
    execFileSync('ffmpeg', ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const describeIf = hasFfmpeg ? describe : describe.skip;
if (!hasFfmpeg) console.info('test/integration/at-rest-transcode: skipped (no ffmpeg; apt-get install ffmpeg)');

describeIf('transcoding before sealing', () => {
  let h: ApiHarness;
  const key = crypto.randomBytes(32);
  const keyring = new Keyring(() => [{ id: masterKeyId(key), key }]);
  const logger = createLogger({ level: 'error', format: 'json', stream: new PassThrough() });
  beforeAll(async () => {
    h = await startApi('sqlite', { keyring });
  });
  afterAll(async () => {
    await h.close();
  });

  const sealWith = async (format: 'opus' | 'mp3', ffmpeg: string | null) => {
    const wav = toneWav(6);
    const rec = await h.addRecording({ file: wav });
    await h.store.recordings.update(rec.id, { sha256: crypto.createHash('sha256').update(wav).digest('hex') });
    await new AtRestWorker({
      store: h.store,
      root: h.root,
      keyring,
      workers: 1,
      logger,
      reconcileEveryMs: 0,
      transcode: { ffmpeg, formatFor: () => format },
    }).reconcile();
    return { wav, rec: (await h.store.recordings.get(rec.id))! };
  };

  it.each([
    ['opus', 'audio/ogg', 'OggS'],
    ['mp3', 'audio/mpeg', ''],
  ] as const)('stores %s, smaller, and serves it with its type, Range and name', async (format, mime, magic) => {
    const { wav, rec } = await sealWith(format, await findFfmpeg('ffmpeg'));
    expect(rec).toMatchObject({
      format,
      sizeBytes: wav.length,
      sha256: crypto.createHash('sha256').update(wav).digest('hex'),
    });
    expect(rec.storedBytes!).toBeLessThan(wav.length / 4);
    const full = await h.get(`/api/recordings/${rec.id}/audio?download=1`, h.keys.admin);
    expect(full.headers.get('content-type')).toBe(mime);
    expect(full.headers.get('content-disposition')).toMatch(new RegExp(`-${rec.id}\\.${format}"$`));
    const body = Buffer.from(await full.arrayBuffer());
    if (magic) expect(body.subarray(0, 4).toString()).toBe(magic);
    const part = await h.get(`/api/recordings/${rec.id}/audio`, h.keys.admin, { Range: 'bytes=100-2099' });
    expect(part.status).toBe(206);
    expect(Buffer.from(await part.arrayBuffer()).equals(body.subarray(100, 2100))).toBe(true);
  });

  it('keeps WAV when ffmpeg is missing', async () => {
    const { wav, rec } = await sealWith('opus', await findFfmpeg('/nonexistent/ffmpeg'));
    expect(rec).toMatchObject({ format: null, keyId: masterKeyId(key) });
    const full = await h.get(`/api/recordings/${rec.id}/audio`, h.keys.admin);
    expect(full.headers.get('content-type')).toBe('audio/wav');
    expect(Buffer.from(await full.arrayBuffer()).equals(wav)).toBe(true);
  });
});
