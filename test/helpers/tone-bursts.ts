// Where a pure tone sounds in a recording: the WAV's 16-bit samples (channels mixed) in 20 ms
// windows, each window's level at the tone's frequency (Goertzel), runs of windows where that tone
// is loud and most of the window's energy. Lets a real-PBX test find a periodic beep in a file
// without sox.
import fs from 'node:fs';
import { parseWavHeader } from '../../controller/src/util/wav';

export interface Burst {
  at: number;
  seconds: number;
  level: number;
}

export interface ToneOptions {
  hz: number;
  /** Least amplitude (0..1) of the tone in a window (default 0.02). */
  minLevel?: number;
  /** Least share of the window's energy the tone must carry (default 0.5). */
  minShare?: number;
}

const WINDOW_S = 0.02;

/** Mono samples in -1..1 of a 16-bit PCM WAV file, channels averaged. */
export function monoSamples(file: string): { rate: number; samples: Float64Array } {
  const data = fs.readFileSync(file);
  const wav = parseWavHeader(data.subarray(0, Math.min(data.length, 4096)), data.length);
  if (!wav.ok) throw new Error(`${file}: ${wav.reason}`);
  const { sampleRate, channels, bitsPerSample, dataOffset } = wav.info;
  if (bitsPerSample !== 16) throw new Error(`${file}: ${bitsPerSample}-bit samples, only 16-bit PCM is read here`);
  const frames = Math.floor((data.length - dataOffset) / (2 * channels));
  const samples = new Float64Array(frames);
  for (let i = 0; i < frames; i++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += data.readInt16LE(dataOffset + (i * channels + c) * 2);
    samples[i] = sum / channels / 32768;
  }
  return { rate: sampleRate, samples };
}

/** Amplitude of the `hz` component of a stretch of samples, and its share of the stretch's energy. */
function goertzel(
  s: Float64Array,
  from: number,
  n: number,
  hz: number,
  rate: number,
): { level: number; share: number } {
  const k = 2 * Math.cos((2 * Math.PI * hz) / rate);
  let prev = 0;
  let prev2 = 0;
  let energy = 0;
  for (let i = from; i < from + n; i++) {
    const x = s[i] ?? 0;
    energy += x * x;
    const cur = x + k * prev - prev2;
    prev2 = prev;
    prev = cur;
  }
  const power = prev * prev + prev2 * prev2 - k * prev * prev2;
  const level = (2 * Math.sqrt(Math.max(power, 0))) / n;
  // A sine of amplitude A carries A^2/2 per sample.
  const share = energy > 0 ? Math.min(1, (((level * level) / 2) * n) / energy) : 0;
  return { level, share };
}

/** The tone's bursts in the samples: start (s), length (s) and peak amplitude, in order. */
export function toneBursts(samples: Float64Array, rate: number, o: ToneOptions): Burst[] {
  const n = Math.round(rate * WINDOW_S);
  const bursts: Burst[] = [];
  // Counted in whole windows, not seconds: 0.14 - 0.12 is not <= 0.02 in floating point, and that
  // once split a burst in two (seen: 0.02 s at 0.10, then 0.30 s at 0.14).
  let open: { first: number; last: number; level: number } | null = null;
  const close = (b: { first: number; last: number; level: number }) =>
    bursts.push({ at: (b.first * n) / rate, seconds: ((b.last - b.first + 1) * n) / rate, level: b.level });
  for (let w = 0; (w + 1) * n <= samples.length; w++) {
    const { level, share } = goertzel(samples, w * n, n, o.hz, rate);
    if (level < (o.minLevel ?? 0.02) || share < (o.minShare ?? 0.5)) continue;
    // One window of silence inside a burst does not split it.
    if (open && w - open.last <= 2) {
      open.last = w;
      open.level = Math.max(open.level, level);
      continue;
    }
    if (open) close(open);
    open = { first: w, last: w, level };
  }
  if (open) close(open);
  return bursts.map((b) => ({ at: round(b.at), seconds: round(b.seconds), level: round(b.level) }));
}

export function fileToneBursts(file: string, o: ToneOptions): Burst[] {
  const { rate, samples } = monoSamples(file);
  return toneBursts(samples, rate, o);
}

/** Seconds between one burst's start and the next's. */
export const intervals = (bursts: Burst[]): number[] =>
  bursts.slice(1).map((b, i) => round(b.at - (bursts[i] as Burst).at));

const round = (x: number) => Math.round(x * 1000) / 1000;
