// Settles a recording once the PBX closed the file: duration from the WAV itself, size, SHA-256.
// A missing, empty or header-only file fails with the reason, never `completed`.
import crypto from 'node:fs';
import { createHash } from 'node:crypto';
import { sleep } from '../util/backoff';
import { readWavInfo } from '../util/wav';

export type FinalizeOutcome =
  | { ok: true; durationMs: number; sizeBytes: number; sha256: string }
  | { ok: false; reason: string };

export interface FinalizeOptions {
  /** How often to look again while the header and the file disagree (the writer may not be done). */
  attempts?: number;
  delayMs?: number;
}

export async function finalizeFile(file: string, opts: FinalizeOptions = {}): Promise<FinalizeOutcome> {
  const attempts = opts.attempts ?? 4;
  let last = await readWavInfo(file);
  for (let i = 1; i < attempts && (!last.ok || !last.info.consistent); i++) {
    await sleep(opts.delayMs ?? 250);
    last = await readWavInfo(file);
  }
  if (!last.ok) return { ok: false, reason: last.reason };
  return { ok: true, durationMs: last.info.durationMs, sizeBytes: last.info.sizeBytes, sha256: await sha256File(file) };
}

function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    crypto.createReadStream(file).on('data', (d) => h.update(d)).on('error', reject).on('end', () => resolve(h.digest('hex')));
  });
}
