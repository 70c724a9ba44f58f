// Optional compact storage: the PBX's WAV transcoded with the distribution's ffmpeg before it is
// sealed. Opus or MP3 at 16 kbit/s (voice); a missing ffmpeg leaves recordings WAV.
import { execFile } from 'node:child_process';
import type { StoredFormat } from '../config/types';

const FORMATS: Record<StoredFormat, { ext: string; mime: string; args: string[] }> = {
  wav: { ext: 'wav', mime: 'audio/wav', args: [] },
  opus: {
    ext: 'opus',
    mime: 'audio/ogg',
    args: ['-c:a', 'libopus', '-b:a', '16k', '-application', 'voip', '-f', 'ogg'],
  },
  mp3: { ext: 'mp3', mime: 'audio/mpeg', args: ['-c:a', 'libmp3lame', '-b:a', '16k', '-f', 'mp3'] },
};

const known = (f: string | null | undefined): StoredFormat => (f === 'opus' || f === 'mp3' ? f : 'wav');
export const mimeOf = (format: string | null | undefined): string => FORMATS[known(format)].mime;
export const extOf = (format: string | null | undefined): string => FORMATS[known(format)].ext;

export interface TranscodeSettings {
  standard: StoredFormat;
  extended: StoredFormat;
  ffmpeg: string;
}

const run = (bin: string, args: string[]): Promise<void> =>
  new Promise((resolve, reject) => {
    execFile(bin, args, { timeout: 10 * 60_000 }, (e, _out, stderr) =>
      e ? reject(new Error(`${bin}: ${String(stderr).trim().split('\n').pop() || e.message}`)) : resolve(),
    );
  });

/** The ffmpeg binary when it runs, else null (doctor and the pool say so; recordings stay WAV). */
export async function findFfmpeg(bin: string): Promise<string | null> {
  try {
    await run(bin, ['-hide_banner', '-version']);
    return bin;
  } catch {
    return null;
  }
}

export async function transcode(
  bin: string,
  src: string,
  dst: string,
  format: Exclude<StoredFormat, 'wav'>,
): Promise<void> {
  await run(bin, ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', '-i', src, ...FORMATS[format].args, dst]);
}
