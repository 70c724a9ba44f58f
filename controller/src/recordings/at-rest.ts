// Replaces one recording's plaintext with its ciphertext, crash-safe at every step:
//   <file>.enc.tmp written and fsynced -> renamed to <file>.enc -> row points at it with the
//   wrapped key -> plaintext unlinked -> row gets stored_bytes (leaves the backlog).
// Before the row update only the plaintext counts (a leftover .enc is an orphan: its data key was
// never stored, so it is deleted and the file sealed again); after it only the ciphertext counts.
// The wrapped key lives only in the row, never in the file: destroying it destroys the audio.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { StoredFormat } from '../config/types';
import type { RecordingRecord, Tier } from '../domain/records';
import type { Store } from '../store';
import { filePool } from '../retention/file-pool';
import { newDataKey, SealStream, wrapKey } from './crypto';
import type { Keyring } from './keyring';
import { transcode } from './transcode';

export const ENC_SUFFIX = '.enc';

export type SealOutcome =
  | { kind: 'sealed'; storedBytes: number }
  | { kind: 'cleaned' } // the ciphertext was already in place: the leftover plaintext went
  | { kind: 'missing' } // no file to seal
  | { kind: 'lost' } // the row moved on (purged, sealed by another node) meanwhile
  | { kind: 'error'; detail: string };

/** Points where a test stops the sequence, as a kill -9 would. */
export type SealStep = 'tmp-written' | 'renamed' | 'row-updated' | 'plaintext-unlinked';
export interface SealHooks {
  after?(step: SealStep, recordingId: number): void | Promise<void>;
}

/** Transcoding before sealing: the format per tier, and ffmpeg when it was found. */
export interface SealTranscode {
  formatFor(tier: Tier): StoredFormat;
  ffmpeg: string | null;
}

export interface SealContext {
  store: Store;
  root: string;
  keyring: Keyring;
  hooks?: SealHooks;
  transcode?: SealTranscode;
}

const plaintextPath = (filePath: string): string =>
  filePath.endsWith(ENC_SUFFIX) ? filePath.slice(0, -ENC_SUFFIX.length) : filePath;

async function unlinkIfThere(file: string): Promise<boolean> {
  try {
    await fs.unlink(file);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

/** fsync through a fresh descriptor: it flushes the inode, whichever descriptor wrote it. */
async function fsyncFile(fileOrDir: string): Promise<void> {
  const h = await fs.open(fileOrDir, 'r');
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}

async function sizeOf(file: string): Promise<number | null> {
  try {
    const st = await fs.stat(file);
    return st.isFile() ? st.size : null;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/** Takes one backlog row to its final state, whichever step a crash left it at. */
export async function sealRecording(ctx: SealContext, rec: RecordingRecord): Promise<SealOutcome> {
  // Real paths, as the purge checks them: a link must not lead the worker outside the root.
  const [where] = await filePool.locate(ctx.root, [plaintextPath(rec.filePath)]);
  if (!where) return { kind: 'error', detail: 'the file worker returned nothing' };
  if (!where.ok) return { kind: 'error', detail: where.detail };
  try {
    return rec.keyId === null ? await sealPlaintext(ctx, rec, where.abs) : await finishSealed(ctx, rec, where.abs);
  } catch (e) {
    return { kind: 'error', detail: (e as Error).message };
  }
}

/** The row already points at the ciphertext: remove the plaintext a crash left behind. */
async function finishSealed(ctx: SealContext, rec: RecordingRecord, plain: string): Promise<SealOutcome> {
  if (rec.state === 'purged') {
    // The ciphertext was purged first: what a crash left of the plaintext goes the same way.
    if (await unlinkIfThere(plain)) await fsyncFile(path.dirname(plain));
    await ctx.store.atRest.stored(rec.id, 0);
    return { kind: 'cleaned' };
  }
  const enc = await sizeOf(plain + ENC_SUFFIX);
  if (enc === null)
    return {
      kind: 'error',
      detail: `${rec.filePath} is recorded as encrypted but missing; the plaintext (if any) is kept`,
    };
  const removed = await unlinkIfThere(plain);
  if (removed) await fsyncFile(path.dirname(plain));
  await ctx.store.atRest.stored(rec.id, enc);
  return removed ? { kind: 'cleaned' } : { kind: 'sealed', storedBytes: enc };
}

async function sealPlaintext(ctx: SealContext, rec: RecordingRecord, plain: string): Promise<SealOutcome> {
  const enc = plain + ENC_SUFFIX;
  const tmp = enc + '.tmp';
  const xtmp = `${plain}.x.tmp`;
  await unlinkIfThere(tmp);
  await unlinkIfThere(xtmp);
  await unlinkIfThere(enc); // an orphan: renamed before a crash, its key never stored
  if ((await sizeOf(plain)) === null) {
    await ctx.store.atRest.stored(rec.id, 0);
    return { kind: 'missing' };
  }
  const changed = {
    kind: 'error',
    detail: `${rec.filePath} changed since it was finalized (sha256 differs); left as it is`,
  } as const;
  const target = ctx.transcode?.ffmpeg ? ctx.transcode.formatFor(rec.tier) : 'wav';
  let source = plain;
  if (target !== 'wav') {
    if (rec.sha256 !== null && rec.sha256 !== (await sha256Of(plain))) return changed;
    await transcode(ctx.transcode?.ffmpeg as string, plain, xtmp, target);
    source = xtmp;
  }
  const master = ctx.keyring.active();
  const dataKey = newDataKey();
  const hash = createHash('sha256');
  const tap = new Transform({
    transform(chunk: Buffer, _e, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  const size = (await fs.stat(source)).size;
  await pipeline(
    createReadStream(source),
    tap,
    new SealStream(dataKey, { keyId: master.id, plainLength: size }),
    createWriteStream(tmp, { flags: 'wx', mode: 0o640 }),
  );
  await fsyncFile(tmp);
  if (target === 'wav' && rec.sha256 !== null && rec.sha256 !== hash.digest('hex')) {
    await unlinkIfThere(tmp);
    return changed;
  }
  await ctx.hooks?.after?.('tmp-written', rec.id);
  await fs.rename(tmp, enc);
  await fsyncFile(path.dirname(enc));
  await ctx.hooks?.after?.('renamed', rec.id);
  const relEnc = plaintextPath(rec.filePath) + ENC_SUFFIX;
  if (
    !(await ctx.store.atRest.sealed(
      rec.id,
      relEnc,
      master.id,
      wrapKey(master.key, master.id, dataKey),
      target === 'wav' ? null : target,
    ))
  ) {
    await unlinkIfThere(enc);
    return { kind: 'lost' };
  }
  await ctx.hooks?.after?.('row-updated', rec.id);
  await unlinkIfThere(plain);
  await unlinkIfThere(xtmp);
  await fsyncFile(path.dirname(plain));
  await ctx.hooks?.after?.('plaintext-unlinked', rec.id);
  const stored = (await fs.stat(enc)).size;
  await ctx.store.atRest.stored(rec.id, stored);
  return { kind: 'sealed', storedBytes: stored };
}

function sha256Of(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(file)
      .on('data', (d) => h.update(d))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}
