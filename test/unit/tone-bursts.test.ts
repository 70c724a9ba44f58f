// The real-PBX beep checks read tone bursts out of recordings with test/helpers/tone-bursts.ts:
// checked here on files whose bursts are known.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileToneBursts, intervals } from '../helpers/tone-bursts';
import { pcmWav } from '../helpers/wav';

const RATE = 8000;

/** A 16-bit PCM WAV of `seconds`, each channel from its own sample function. */
function writeWav(file: string, seconds: number, channels: Array<(t: number) => number>): void {
  const frames = Math.round(seconds * RATE);
  const data = Buffer.alloc(frames * channels.length * 2);
  for (let i = 0; i < frames; i++) {
    channels.forEach((f, c) =>
      data.writeInt16LE(Math.round(Math.max(-1, Math.min(1, f(i / RATE))) * 32767), (i * channels.length + c) * 2),
    );
  }
  fs.writeFileSync(file, pcmWav(data, RATE, channels.length));
}

const sine = (hz: number, amp: number) => (t: number) => amp * Math.sin(2 * Math.PI * hz * t);
const during = (from: number, to: number, f: (t: number) => number) => (t: number) => (t >= from && t < to ? f(t) : 0);
const sum =
  (...fs: Array<(t: number) => number>) =>
  (t: number) =>
    fs.reduce((a, f) => a + f(t), 0);
// Deterministic low noise, as a line's hiss.
const hiss = (t: number) => 0.002 * Math.sin(12345.678 * t * t);

describe('tone bursts in a WAV', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callrec-tones-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('finds a 0.4 s 700 Hz beep every 5 s, and not a longer 440 Hz tone nor the hiss', () => {
    const file = path.join(dir, 'mono.wav');
    const beep = sine(700, 0.1);
    writeWav(file, 12, [
      sum(hiss, during(0.3, 0.7, beep), during(5.3, 5.7, beep), during(10.3, 10.7, beep), during(6, 8, sine(440, 0.3))),
    ]);
    const bursts = fileToneBursts(file, { hz: 700 });
    expect(bursts.map((b) => b.at)).toEqual([0.3, 5.3, 10.3]);
    expect(bursts.map((b) => b.seconds)).toEqual([0.4, 0.4, 0.4]);
    for (const b of bursts) expect(b.level).toBeCloseTo(0.1, 2);
    expect(intervals(bursts)).toEqual([5, 5]);
  });

  it('mixes the channels of a stereo file: a beep on either one counts; speech-loud 440 Hz over it hides it', () => {
    const file = path.join(dir, 'stereo.wav');
    writeWav(file, 4, [
      during(1, 1.4, sine(700, 0.1)),
      sum(during(2, 2.4, sine(700, 0.1)), during(3, 3.4, sine(700, 0.1)), during(2.9, 3.6, sine(440, 0.5))),
    ]);
    expect(fileToneBursts(file, { hz: 700 }).map((b) => b.at)).toEqual([1, 2]);
  });

  it('refuses what it cannot read', () => {
    const file = path.join(dir, 'not.wav');
    fs.writeFileSync(file, 'not a wav');
    expect(() => fileToneBursts(file, { hz: 700 })).toThrow(/RIFF/);
  });

  it('keeps a burst whole across one silent window (window counts, not floating-point seconds)', () => {
    const file = path.join(dir, 'gap.wav');
    const beep = sine(700, 0.1);
    // 0.10-0.12 s tone, 0.12-0.14 s silence, 0.14-0.44 s tone: as the Asterisk beep's onset was heard.
    writeWav(file, 1, [sum(during(0.1, 0.12, beep), during(0.14, 0.44, beep))]);
    const bursts = fileToneBursts(file, { hz: 700 });
    expect(bursts).toHaveLength(1);
    expect(bursts[0]).toMatchObject({ at: 0.1, seconds: 0.34 });
  });
});
