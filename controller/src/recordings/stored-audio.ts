// A recording's audio as stored: the plaintext file, or the sealed file opened with its data key.
// Either way the caller sees plaintext bytes and the plaintext size, so Range works the same.
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import type { RecordingRecord } from '../domain/records';
import { IntegrityError, openRange, openSealed, unwrapKey, type ReadAt } from './crypto';
import type { Keyring } from './keyring';

export interface StoredAudio {
  /** Plaintext size in bytes. */
  size: number;
  encrypted: boolean;
  /** Plaintext bytes start..end inclusive. A sealed file throws IntegrityError before a bad chunk's bytes. */
  bytes(start: number, end: number): AsyncIterable<Buffer>;
  /** Authenticates start..end without keeping the bytes (so a tampered file is refused before any header is sent). */
  verify(start: number, end: number): Promise<void>;
  close(): Promise<void>;
}

export class KeyUnavailableError extends Error {
  constructor(detail: string) {
    super(detail);
    this.name = 'KeyUnavailableError';
  }
}

function readerOf(h: fs.FileHandle): ReadAt {
  return async (position, length) => {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await h.read(buf, 0, length, position);
    return buf.subarray(0, bytesRead);
  };
}

export async function openStoredAudio(
  rec: Pick<RecordingRecord, 'id' | 'keyId' | 'wrappedKey'>,
  file: string,
  fileSize: number,
  keyring: Keyring | null,
): Promise<StoredAudio> {
  if (rec.keyId === null) {
    return {
      size: fileSize,
      encrypted: false,
      verify: async () => {},
      close: async () => {},
      bytes: (start, end) => createReadStream(file, { start, end }),
    };
  }
  if (rec.wrappedKey === null) throw new KeyUnavailableError(`the data key of recording ${rec.id} was destroyed`);
  const master = keyring?.get(rec.keyId) ?? null;
  if (!master) throw new KeyUnavailableError(`master key ${rec.keyId} of recording ${rec.id} is not configured`);
  const key = unwrapKey(master.key, master.id, rec.wrappedKey);
  const h = await fs.open(file, 'r');
  try {
    const read = readerOf(h);
    const { header } = await openSealed(read, fileSize);
    return {
      size: header.plainLength,
      encrypted: true,
      bytes: (start, end) => openRange(read, fileSize, key, start, end),
      verify: async (start, end) => {
        for await (const _ of openRange(read, fileSize, key, start, end)) {
          /* authenticated */
        }
      },
      close: () => h.close(),
    };
  } catch (e) {
    await h.close();
    throw e;
  }
}

export { IntegrityError };
