import fs from 'node:fs';
import path from 'node:path';
import type { PromptName } from '../../controller/src/policy/types';

const SOUNDS = path.resolve(__dirname, '../../sounds');
const PROMPTS: PromptName[] = ['announce', 'opt-in', 'opt-out', 'paused', 'resumed', 'started', 'beep', 'not-recorded'];
const LANGS = ['en', 'es'];

interface WavFormat {
  format: number;
  channels: number;
  rate: number;
  bits: number;
  dataBytes: number;
}

/** Reads the fmt and data chunks of a RIFF/WAVE file (chunks may come in any order). */
function readWav(file: string): WavFormat {
  const b = fs.readFileSync(file);
  if (b.toString('ascii', 0, 4) !== 'RIFF' || b.toString('ascii', 8, 12) !== 'WAVE')
    throw new Error(`${file}: not a RIFF/WAVE file`);
  let fmt: Omit<WavFormat, 'dataBytes'> | null = null;
  for (let at = 12; at + 8 <= b.length;) {
    const id = b.toString('ascii', at, at + 4);
    const size = b.readUInt32LE(at + 4);
    if (id === 'fmt ')
      fmt = {
        format: b.readUInt16LE(at + 8),
        channels: b.readUInt16LE(at + 10),
        rate: b.readUInt32LE(at + 12),
        bits: b.readUInt16LE(at + 22),
      };
    if (id === 'data' && fmt) return { ...fmt, dataBytes: size };
    at += 8 + size + (size % 2);
  }
  throw new Error(`${file}: no fmt/data chunk`);
}

describe.each(LANGS)('sounds/%s/callrec', (lang) => {
  it.each(PROMPTS)('%s.wav is 8000 Hz, mono, 16-bit PCM with audio in it', (name) => {
    const wav = readWav(path.join(SOUNDS, lang, 'callrec', `${name}.wav`));
    expect(wav).toMatchObject({ format: 1, channels: 1, rate: 8000, bits: 16 });
    expect(wav.dataBytes).toBeGreaterThan(8000 * 2 * 0.2);
    expect(wav.dataBytes).toBeLessThan(8000 * 2 * 12); // small: no prompt passes 12 s
  });
});
