// Settles a recording once the PBX closed the file: duration from the WAV itself, size, SHA-256.
// A missing, empty or header-only file fails with the reason, never `completed`.
import { sleep } from '../util/backoff';
import { sha256File } from '../util/hash';
import { markInterleavedStereo, readWavInfo } from '../util/wav';

export type FinalizeOutcome =
  { ok: true; durationMs: number; sizeBytes: number; sha256: string } | { ok: false; reason: string };

export interface FinalizeOptions {
  /** How often to look again while the header and the file disagree (the writer may not be done). */
  attempts?: number;
  delayMs?: number;
  /** Recorded in stereo: a mono header over interleaved samples (MixMonitor D) is made 2-channel. */
  stereo?: boolean;
}

export async function finalizeFile(file: string, opts: FinalizeOptions = {}): Promise<FinalizeOutcome> {
  const attempts = opts.attempts ?? 4;
  let last = await readWavInfo(file);
  for (let i = 1; i < attempts && (!last.ok || !last.info.consistent); i++) {
    await sleep(opts.delayMs ?? 250);
    last = await readWavInfo(file);
  }
  if (!last.ok) return { ok: false, reason: last.reason };
  const info = opts.stereo && last.info.consistent ? await markInterleavedStereo(file, last.info) : last.info;
  return { ok: true, durationMs: info.durationMs, sizeBytes: info.sizeBytes, sha256: await sha256File(file) };
}
