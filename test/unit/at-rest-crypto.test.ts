import crypto from 'node:crypto';
import { Readable } from 'node:stream';
import {
  bufferReader,
  DEFAULT_CHUNK,
  HEADER_BYTES,
  IntegrityError,
  newDataKey,
  openBuffer,
  openRange,
  SealStream,
  sealBuffer,
  sealedSize,
  unwrapKey,
  wrapKey,
} from '../../controller/src/recordings/crypto';
import { masterKeyId, parseMasterKeys } from '../../controller/src/recordings/keyring';

const key = newDataKey();
const CS = 1024;
const plain = crypto.randomBytes(CS * 5 + 321);
const sealed = sealBuffer(key, 'mk-test', plain, CS);
const flip = (b: Buffer, i: number, bit = 1): Buffer => {
  b.writeUInt8(b.readUInt8(i) ^ bit, i);
  return b;
};

async function collect(s: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of s) parts.push(p as Buffer);
  return Buffer.concat(parts);
}

describe('at-rest format', () => {
  it('round-trips, and the stored size is exactly what the header promises', async () => {
    expect(sealed.length).toBe(sealedSize(plain.length, CS));
    expect(await openBuffer(key, sealed)).toEqual(plain);
  });

  it('the stream writer produces a file the reader opens, whatever the input slicing', async () => {
    const pieces = [plain.subarray(0, 7), plain.subarray(7, 3000), plain.subarray(3000)];
    const out = await collect(
      Readable.from(pieces).pipe(new SealStream(key, { keyId: 'mk-test', plainLength: plain.length, chunkSize: CS })),
    );
    expect(out.length).toBe(sealed.length);
    expect(await openBuffer(key, out)).toEqual(plain);
  });

  it('seals an empty recording with one authenticated chunk', async () => {
    const empty = sealBuffer(key, 'mk-test', Buffer.alloc(0), CS);
    expect(empty.length).toBe(HEADER_BYTES + 28);
    expect(await openBuffer(key, empty)).toEqual(Buffer.alloc(0));
    flip(empty, HEADER_BYTES + 20);
    await expect(openBuffer(key, empty)).rejects.toThrow(IntegrityError);
  });

  it.each([
    [0, 0],
    [0, CS - 1],
    [CS - 1, CS],
    [CS, CS],
    [CS - 1, 2 * CS],
    [CS + 5, 4 * CS + 1],
    [5 * CS, plain.length - 1],
    [plain.length - 1, plain.length - 1],
    [0, plain.length - 1],
  ])('any range decrypts: bytes %i-%i', async (start, end) => {
    expect(await openBuffer(key, sealed, start, end)).toEqual(plain.subarray(start, end + 1));
  });

  it('reads only the chunks a range covers', async () => {
    const seen: number[] = [];
    const read = bufferReader(sealed);
    const spy = async (pos: number, len: number) => {
      seen.push(pos);
      return read(pos, len);
    };
    for await (const _ of openRange(spy, sealed.length, key, CS * 2 + 1, CS * 3 + 1)) {
      /* drain */
    }
    expect(seen).toEqual([0, HEADER_BYTES + 2 * (CS + 28), HEADER_BYTES + 3 * (CS + 28)]);
  });

  it.each([
    [
      'a flipped ciphertext byte',
      (b: Buffer) => flip(b, HEADER_BYTES + 3 * (CS + 28) + 100),
      /chunk 3 does not authenticate/,
    ],
    ['a flipped tag byte', (b: Buffer) => flip(b, b.length - 1, 0x80), /chunk 5 does not authenticate/],
    ['a changed length in the header', (b: Buffer) => flip(b, 19), /header says/],
    ['a truncated file', (b: Buffer) => b.subarray(0, b.length - 10), /truncated/],
    ['a file cut at a chunk boundary', (b: Buffer) => b.subarray(0, HEADER_BYTES + 2 * (CS + 28)), /truncated/],
    [
      'swapped chunks',
      (b: Buffer) => {
        const c = Buffer.from(b);
        const a = HEADER_BYTES,
          n = CS + 28;
        b.copy(c, a, a + n, a + 2 * n);
        b.copy(c, a + n, a, a + n);
        return c;
      },
      /chunk 0 does not authenticate/,
    ],
    ['not an encrypted file', (b: Buffer) => Buffer.from(b.toString('base64')).subarray(0, b.length), /bad header/],
  ])('%s is an integrity error, never bytes', async (_name, damage, message) => {
    await expect(openBuffer(key, damage(Buffer.from(sealed)))).rejects.toThrow(message);
    await expect(openBuffer(key, damage(Buffer.from(sealed)))).rejects.toBeInstanceOf(IntegrityError);
  });

  it('a different data key cannot open the file', async () => {
    await expect(openBuffer(newDataKey(), sealed)).rejects.toThrow(IntegrityError);
  });

  it('uses 64 KiB chunks unless told', () => {
    expect(sealBuffer(key, 'k', Buffer.alloc(DEFAULT_CHUNK + 1)).length).toBe(
      HEADER_BYTES + DEFAULT_CHUNK + 1 + 2 * 28,
    );
  });
});

describe('master keys', () => {
  const m1 = crypto.randomBytes(32);
  const m2 = crypto.randomBytes(32);

  it('wraps a data key so that only the same master key and id open it', () => {
    const w = wrapKey(m1, masterKeyId(m1), key);
    expect(unwrapKey(m1, masterKeyId(m1), w)).toEqual(key);
    expect(() => unwrapKey(m2, masterKeyId(m1), w)).toThrow(/does not open/);
    expect(() => unwrapKey(m1, 'mk-other', w)).toThrow(IntegrityError);
  });

  it('reads a key file: comments skipped, first key first, bad keys named', () => {
    const keys = parseMasterKeys(
      `# keys, the first one first\n${m1.toString('base64')}\n\n${m2.toString('base64')}\n`,
      'keys.txt',
    );
    expect(keys.map((k) => k.id)).toEqual([masterKeyId(m1), masterKeyId(m2)]);
    expect(() => parseMasterKeys('c2hvcnQ=', 'keys.txt')).toThrow('keys.txt: key 1 must be 32 bytes in base64');
    expect(() => parseMasterKeys('# nothing\n', 'keys.txt')).toThrow('no master key');
  });
});
