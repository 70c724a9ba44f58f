// The at-rest format: AES-256-GCM over fixed-size plaintext chunks, each with its own nonce and
// tag, so any byte range is read and authenticated from the chunks that cover it alone.
//   header (64 bytes): "CRAE" | version u8 | key id length u8 | 0 0 | chunk size u32 | plaintext length u64 | key id, zero-padded
//   chunk i: nonce (12) | ciphertext | tag (16), with AAD = header || i (u64)
// The header is in every chunk's AAD: changing the length, the chunk size or the order of chunks
// fails authentication. Pure over buffers and streams; no files, no keys beyond the ones given.
import crypto from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

export const FORMAT_VERSION = 1;
export const HEADER_BYTES = 64;
export const DEFAULT_CHUNK = 64 * 1024;
const MAGIC = Buffer.from('CRAE', 'ascii');
const NONCE = 12;
const TAG = 16;
const MAX_KEY_ID = HEADER_BYTES - 20;

/** A stored file failed authentication (tampered, truncated, wrong key): never serve its bytes. */
export class IntegrityError extends Error {
  constructor(detail: string) {
    super(`integrity check failed: ${detail}`);
    this.name = 'IntegrityError';
  }
}

export interface Header {
  version: number;
  chunkSize: number;
  plainLength: number;
  keyId: string;
}

export function encodeHeader(h: Omit<Header, 'version'>): Buffer {
  const id = Buffer.from(h.keyId, 'ascii');
  if (id.length === 0 || id.length > MAX_KEY_ID) throw new Error(`key id must be 1 to ${MAX_KEY_ID} ASCII characters`);
  if (!Number.isInteger(h.chunkSize) || h.chunkSize < 1 || h.chunkSize > 0xffffffff)
    throw new Error('chunk size out of range');
  const b = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(b, 0);
  b.writeUInt8(FORMAT_VERSION, 4);
  b.writeUInt8(id.length, 5);
  b.writeUInt32BE(h.chunkSize, 8);
  b.writeBigUInt64BE(BigInt(h.plainLength), 12);
  id.copy(b, 20);
  return b;
}

export function decodeHeader(b: Buffer): Header {
  if (b.length < HEADER_BYTES || !b.subarray(0, 4).equals(MAGIC))
    throw new IntegrityError('not an encrypted recording (bad header)');
  const version = b.readUInt8(4);
  if (version !== FORMAT_VERSION) throw new IntegrityError(`unknown format version ${version}`);
  const idLen = b.readUInt8(5);
  const chunkSize = b.readUInt32BE(8);
  const plainLength = Number(b.readBigUInt64BE(12));
  if (idLen === 0 || idLen > MAX_KEY_ID || chunkSize === 0 || !Number.isSafeInteger(plainLength))
    throw new IntegrityError('malformed header');
  return { version, chunkSize, plainLength, keyId: b.subarray(20, 20 + idLen).toString('ascii') };
}

/** At least one chunk, so even an empty recording has its header authenticated. */
export const chunkCount = (plainLength: number, chunkSize: number): number =>
  Math.max(1, Math.ceil(plainLength / chunkSize));

/** The exact size of the stored file for a plaintext of this length: a different size is tampering. */
export function sealedSize(plainLength: number, chunkSize: number): number {
  return HEADER_BYTES + plainLength + chunkCount(plainLength, chunkSize) * (NONCE + TAG);
}

const aad = (header: Buffer, index: number): Buffer => {
  const i = Buffer.alloc(8);
  i.writeBigUInt64BE(BigInt(index));
  return Buffer.concat([header, i]);
};

export function sealChunk(key: Buffer, header: Buffer, index: number, plain: Buffer): Buffer {
  const nonce = crypto.randomBytes(NONCE);
  const c = crypto.createCipheriv('aes-256-gcm', key, nonce);
  c.setAAD(aad(header, index));
  const body = Buffer.concat([c.update(plain), c.final()]);
  return Buffer.concat([nonce, body, c.getAuthTag()]);
}

export function openChunk(key: Buffer, header: Buffer, index: number, sealed: Buffer): Buffer {
  if (sealed.length < NONCE + TAG) throw new IntegrityError(`chunk ${index} is truncated`);
  const d = crypto.createDecipheriv('aes-256-gcm', key, sealed.subarray(0, NONCE));
  d.setAAD(aad(header, index));
  d.setAuthTag(sealed.subarray(sealed.length - TAG));
  try {
    return Buffer.concat([d.update(sealed.subarray(NONCE, sealed.length - TAG)), d.final()]);
  } catch {
    throw new IntegrityError(`chunk ${index} does not authenticate (tampered or wrong key)`);
  }
}

/** Plaintext in, the whole sealed file out. The length must be known up front (it is in the header). */
export class SealStream extends Transform {
  private readonly header: Buffer;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private index = 0;
  private seen = 0;

  constructor(
    private readonly key: Buffer,
    private readonly meta: { keyId: string; plainLength: number; chunkSize?: number },
  ) {
    super();
    this.header = encodeHeader({ keyId: meta.keyId, plainLength: meta.plainLength, chunkSize: this.chunkSize });
    this.push(this.header);
  }

  private get chunkSize(): number {
    return this.meta.chunkSize ?? DEFAULT_CHUNK;
  }

  override _transform(data: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.seen += data.length;
    if (this.seen > this.meta.plainLength) {
      done(new Error(`the plaintext grew past ${this.meta.plainLength} bytes while being encrypted`));
      return;
    }
    this.pending.push(data);
    this.pendingBytes += data.length;
    while (this.pendingBytes >= this.chunkSize) {
      const all = Buffer.concat(this.pending);
      this.emitChunk(all.subarray(0, this.chunkSize));
      this.pending = [all.subarray(this.chunkSize)];
      this.pendingBytes = all.length - this.chunkSize;
    }
    done();
  }

  override _flush(done: TransformCallback): void {
    if (this.seen !== this.meta.plainLength) {
      done(new Error(`the plaintext was ${this.seen} bytes, expected ${this.meta.plainLength}`));
      return;
    }
    if (this.pendingBytes > 0 || this.index === 0) this.emitChunk(Buffer.concat(this.pending));
    done();
  }

  private emitChunk(plain: Buffer): void {
    this.push(sealChunk(this.key, this.header, this.index++, plain));
  }
}

/** Reads `length` bytes at `position` of the stored file (fewer only at its end). */
export type ReadAt = (position: number, length: number) => Promise<Buffer>;

/** The header of a stored file, checked against the file's size (truncation shows here). */
export async function openSealed(read: ReadAt, fileSize: number): Promise<{ header: Header; raw: Buffer }> {
  const raw = await read(0, HEADER_BYTES);
  const header = decodeHeader(raw);
  const expected = sealedSize(header.plainLength, header.chunkSize);
  if (fileSize !== expected)
    throw new IntegrityError(`file is ${fileSize} bytes, its header says ${expected} (truncated or appended to)`);
  return { header, raw };
}

/**
 * Plaintext bytes start..end (inclusive) of a sealed file, chunk by chunk: only the chunks that
 * cover the range are read, and each is authenticated before any of its bytes is yielded.
 */
export async function* openRange(
  read: ReadAt,
  fileSize: number,
  key: Buffer,
  start: number,
  end: number,
): AsyncGenerator<Buffer> {
  const { header, raw } = await openSealed(read, fileSize);
  const cs = header.chunkSize;
  if (header.plainLength === 0 || end < start) {
    openChunk(key, raw, 0, await read(HEADER_BYTES, NONCE + TAG));
    return;
  }
  if (start < 0 || end >= header.plainLength)
    throw new RangeError(`range ${start}-${end} outside 0-${header.plainLength - 1}`);
  for (let i = Math.floor(start / cs); i <= Math.floor(end / cs); i++) {
    const plainLen = Math.min(cs, header.plainLength - i * cs);
    const sealed = await read(HEADER_BYTES + i * (cs + NONCE + TAG), plainLen + NONCE + TAG);
    const plain = openChunk(key, raw, i, sealed);
    const from = i * cs;
    yield plain.subarray(Math.max(0, start - from), Math.min(plain.length, end - from + 1));
  }
}

/** Whole-buffer helpers: small files, tests and the bench. */
export function sealBuffer(key: Buffer, keyId: string, plain: Buffer, chunkSize = DEFAULT_CHUNK): Buffer {
  const header = encodeHeader({ keyId, plainLength: plain.length, chunkSize });
  const parts = [header];
  for (let i = 0; i < chunkCount(plain.length, chunkSize); i++)
    parts.push(sealChunk(key, header, i, plain.subarray(i * chunkSize, (i + 1) * chunkSize)));
  return Buffer.concat(parts);
}

export const bufferReader =
  (b: Buffer): ReadAt =>
  async (position, length) =>
    b.subarray(position, position + length);

export async function openBuffer(key: Buffer, sealed: Buffer, start = 0, end?: number): Promise<Buffer> {
  const { header } = await openSealed(bufferReader(sealed), sealed.length);
  const parts: Buffer[] = [];
  for await (const p of openRange(bufferReader(sealed), sealed.length, key, start, end ?? header.plainLength - 1))
    parts.push(p);
  return Buffer.concat(parts);
}

export const newDataKey = (): Buffer => crypto.randomBytes(32);

/** A data key sealed by a master key: nonce | ciphertext | tag, base64, bound to the master key id. */
export function wrapKey(master: Buffer, masterId: string, dataKey: Buffer): string {
  const nonce = crypto.randomBytes(NONCE);
  const c = crypto.createCipheriv('aes-256-gcm', master, nonce);
  c.setAAD(Buffer.from(`callrec-dek:${masterId}`));
  return Buffer.concat([nonce, c.update(dataKey), c.final(), c.getAuthTag()]).toString('base64');
}

export function unwrapKey(master: Buffer, masterId: string, wrapped: string): Buffer {
  const b = Buffer.from(wrapped, 'base64');
  if (b.length !== NONCE + 32 + TAG) throw new IntegrityError('wrapped data key is malformed');
  const d = crypto.createDecipheriv('aes-256-gcm', master, b.subarray(0, NONCE));
  d.setAAD(Buffer.from(`callrec-dek:${masterId}`));
  d.setAuthTag(b.subarray(NONCE + 32));
  try {
    return Buffer.concat([d.update(b.subarray(NONCE, NONCE + 32)), d.final()]);
  } catch {
    throw new IntegrityError(`wrapped data key does not open with master key ${masterId}`);
  }
}
