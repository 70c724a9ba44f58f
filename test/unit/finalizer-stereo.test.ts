// A stereo MixMonitor (`D`) into a .wav: Asterisk 22.10.1 writes the interleaved samples under a
// mono header (docs/asterisk.md). The finalizer makes it the 2-channel file it is.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { finalizeFile } from '../../controller/src/calls/finalizer';
import { readWavInfo } from '../../controller/src/util/wav';
import { writeWav } from '../helpers/call-harness';

describe('finalizing a stereo recording', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callrec-stereo-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('rewrites a mono header over interleaved samples to 2 channels: half the duration, same bytes', async () => {
    const file = path.join(dir, 'd.wav');
    writeWav(file, 2); // 16000 mono frames = 8000 interleaved stereo frames
    const out = await finalizeFile(file, { stereo: true, attempts: 1 });
    expect(out).toMatchObject({ ok: true, durationMs: 1000, sizeBytes: 32044 });
    const info = await readWavInfo(file);
    expect(info).toMatchObject({
      ok: true,
      info: { channels: 2, sampleRate: 8000, durationMs: 1000, consistent: true },
    });
    // Once 2-channel, a second finalize (adoption after a restart) leaves it as it is.
    expect(await finalizeFile(file, { stereo: true, attempts: 1 })).toMatchObject({ ok: true, durationMs: 1000 });
  });

  it('leaves a mono recording mono', async () => {
    const file = path.join(dir, 'm.wav');
    writeWav(file, 2);
    expect(await finalizeFile(file, { attempts: 1 })).toMatchObject({ ok: true, durationMs: 2000 });
    expect(await readWavInfo(file)).toMatchObject({ info: { channels: 1 } });
  });
});
