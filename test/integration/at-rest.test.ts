// Recordings at rest: sealed off the call path, served decrypted with Range, crash-safe at every
// step, readable across a master key rotation, and unreadable once purged (crypto-shredding).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { STORE_KINDS } from '../helpers/db';
import { startApi, type ApiHarness } from '../helpers/api';
import { AtRestWorker } from '../../controller/src/recordings/at-rest-worker';
import type { SealStep } from '../../controller/src/recordings/at-rest';
import { DEFAULT_CHUNK, openBuffer, unwrapKey } from '../../controller/src/recordings/crypto';
import { Keyring, masterKeyId, type MasterKey } from '../../controller/src/recordings/keyring';
import { rewrapAll } from '../../controller/src/recordings/rotate';
import { openStoredAudio, KeyUnavailableError } from '../../controller/src/recordings/stored-audio';
import { createLogger } from '../../controller/src/util/logger';

const master = (): MasterKey => {
  const key = crypto.randomBytes(32);
  return { id: masterKeyId(key), key };
};
const silent = createLogger({ level: 'error', format: 'json', stream: new PassThrough() });

/** Every regular file under the root, relative. */
function filesUnder(root: string): string[] {
  return fs
    .readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.relative(root, path.join(d.parentPath, d.name)))
    .sort();
}

/** A recording's audio: a WAV header and 3.2 chunks of noise, so ranges cross chunk boundaries. */
const wav = (): Buffer =>
  Buffer.concat([Buffer.from('RIFF....WAVEfmt '), crypto.randomBytes(DEFAULT_CHUNK * 3 + 13_107)]);
const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');

describe.each(STORE_KINDS)('recordings at rest on %s', (kind) => {
  let h: ApiHarness;
  const keys: MasterKey[] = [master()];
  const keyring = new Keyring(
    () => [...keys],
    () => keys.map((k) => k.id).join(),
  );
  const worker = (hooks?: { after(step: SealStep): void }) =>
    new AtRestWorker({ store: h.store, root: h.root, keyring, workers: 2, logger: silent, reconcileEveryMs: 0, hooks });
  const addPlain = async (audio = wav()) => {
    const r = await h.addRecording({ file: audio });
    await h.store.recordings.update(r.id, { sha256: sha(audio) });
    return { id: r.id, audio, rel: r.filePath };
  };
  const audioOf = async (id: number, range?: string) =>
    h.get(`/api/recordings/${id}/audio`, h.keys.admin, range ? { Range: range } : {});

  beforeAll(async () => {
    h = await startApi(kind, { keyring });
  });
  afterAll(async () => {
    await h.close();
  });

  it('replaces the plaintext: no plaintext audio remains under the root; the row keeps the sha256, the stored size and the wrapped key', async () => {
    const recs = [await addPlain(), await addPlain(), await addPlain(Buffer.alloc(0))];
    const w = worker();
    recs.forEach((r) => w.enqueue(r.id));
    await w.idle();
    for (const f of filesUnder(h.root))
      expect(fs.readFileSync(path.join(h.root, f)).subarray(0, 4).toString()).toBe('CRAE');
    for (const r of recs) {
      const row = await h.store.recordings.get(r.id);
      expect(row).toMatchObject({
        filePath: `${r.rel}.enc`,
        keyId: keys[0]?.id,
        sha256: sha(r.audio),
        storedBytes: fs.statSync(path.join(h.root, `${r.rel}.enc`)).size,
      });
      expect(fs.existsSync(path.join(h.root, r.rel))).toBe(false);
    }
    expect(await h.store.atRest.backlogCount()).toBe(0);
  });

  it('serves the original bytes: a full GET and ranges at chunk boundaries, Content-Range in plaintext bytes', async () => {
    const r = await addPlain();
    await worker().reconcile();
    const full = await audioOf(r.id);
    expect(full.status).toBe(200);
    expect(full.headers.get('content-length')).toBe(String(r.audio.length));
    expect(Buffer.from(await full.arrayBuffer()).equals(r.audio)).toBe(true);
    const C = DEFAULT_CHUNK;
    for (const [a, b] of [
      [0, 0],
      [C - 1, C],
      [C, 2 * C - 1],
      [C - 10, 3 * C + 10],
      [3 * C, r.audio.length - 1],
    ] as const) {
      const res = await audioOf(r.id, `bytes=${a}-${b}`);
      expect(res.status).toBe(206);
      expect(res.headers.get('content-range')).toBe(`bytes ${a}-${b}/${r.audio.length}`);
      expect(Buffer.from(await res.arrayBuffer()).equals(r.audio.subarray(a, b + 1))).toBe(true);
    }
    const tail = await audioOf(r.id, 'bytes=-100');
    expect(Buffer.from(await tail.arrayBuffer()).equals(r.audio.subarray(r.audio.length - 100))).toBe(true);
  });

  it.each([
    [
      'one flipped byte',
      (f: string) => {
        const b = fs.readFileSync(f);
        b.writeUInt8(b.readUInt8(b.length - 500) ^ 1, b.length - 500);
        fs.writeFileSync(f, b);
      },
    ],
    ['a truncated file', (f: string) => fs.truncateSync(f, fs.statSync(f).size - 1000)],
  ])('%s answers integrity-error, never audio', async (_name, damage) => {
    const r = await addPlain();
    await worker().reconcile();
    damage(path.join(h.root, `${r.rel}.enc`));
    const res = await audioOf(r.id);
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ error: 'integrity-error' });
    // A range that does not cover the damage still plays: chunks authenticate alone.
    if (_name === 'one flipped byte') expect((await audioOf(r.id, 'bytes=0-99')).status).toBe(206);
  });

  it.each<SealStep>(['tmp-written', 'renamed', 'row-updated', 'plaintext-unlinked'])(
    'a crash after %s leaves one readable copy, and the next pass finishes it',
    async (step) => {
      const r = await addPlain();
      const crashing = worker({
        after: (s) => {
          if (s === step) throw new Error(`killed after ${s}`);
        },
      });
      await crashing.reconcile();
      // At the crash: exactly the copy the row points at is complete.
      const row = await h.store.recordings.get(r.id);
      const readable = await openStoredAudio(
        row!,
        path.join(h.root, row!.filePath),
        fs.statSync(path.join(h.root, row!.filePath)).size,
        keyring,
      );
      await readable.close();
      expect(row?.storedBytes).toBeNull();
      await worker().reconcile();
      const after = await h.store.recordings.get(r.id);
      expect(after?.storedBytes).toBeGreaterThan(0);
      expect(filesUnder(h.root).filter((f) => f.startsWith(r.rel))).toEqual([`${r.rel}.enc`]);
      expect(Buffer.from(await (await audioOf(r.id)).arrayBuffer()).equals(r.audio)).toBe(true);
    },
  );

  it('rotate-master re-wraps every data key without touching the files; every recording stays readable with the old key gone', async () => {
    const recs = [await addPlain(), await addPlain()];
    await worker().reconcile();
    const before = recs.map((r) => fs.readFileSync(path.join(h.root, `${r.rel}.enc`)));
    const old = keys[0] as MasterKey;
    keys.unshift(master());
    const report = await rewrapAll(h.store, keyring);
    expect(report).toMatchObject({ masterKey: keys[0]?.id, failed: [], stillUsed: [] });
    expect(report.rewrapped).toBeGreaterThanOrEqual(2);
    keys.splice(keys.indexOf(old), 1);
    for (const [i, r] of recs.entries()) {
      expect(fs.readFileSync(path.join(h.root, `${r.rel}.enc`)).equals(before[i] as Buffer)).toBe(true);
      expect((await h.store.recordings.get(r.id))?.keyId).toBe(keys[0]?.id);
      expect(Buffer.from(await (await audioOf(r.id)).arrayBuffer()).equals(r.audio)).toBe(true);
    }
  });

  it('early deletion destroys the data key with the file; the tombstone says so and a backup copy cannot be decrypted', async () => {
    const r = await addPlain();
    await worker().reconcile();
    const file = path.join(h.root, `${r.rel}.enc`);
    const backup = fs.readFileSync(file);
    const res = await h.send('DELETE', `/api/recordings/${r.id}`, h.keys.admin, { reason: 'caller asked' });
    expect(res.status).toBe(200);
    const row = await h.store.recordings.get(r.id);
    expect(row).toMatchObject({
      state: 'purged',
      wrappedKey: null,
      purgeReason: 'deleted early: caller asked; data key destroyed',
    });
    expect(row?.keyDestroyedAt).toBeInstanceOf(Date);
    const ev = (await h.store.events.forRecording(r.id)).find((e) => e.type === 'deleted');
    expect(ev?.detail).toMatchObject({ keyDestroyed: true });
    // The backup restored in place: no key anywhere opens it.
    fs.writeFileSync(file, backup);
    await expect(openStoredAudio(row!, file, backup.length, keyring)).rejects.toBeInstanceOf(KeyUnavailableError);
    for (const k of keys)
      for (const other of (await h.store
        .knex('recordings')
        .whereNotNull('wrapped_key')
        .select('wrapped_key', 'key_id')) as Array<{ wrapped_key: string; key_id: string }>) {
        if (other.key_id !== k.id) continue;
        await expect(openBuffer(unwrapKey(k.key, k.id, other.wrapped_key), backup)).rejects.toThrow(/integrity/);
      }
  });

  it('a plaintext left by a crash after the row update goes too when the ciphertext is purged first', async () => {
    const r = await addPlain();
    await worker({
      after: (s) => {
        if (s === 'row-updated') throw new Error('killed');
      },
    }).reconcile();
    expect(fs.existsSync(path.join(h.root, r.rel))).toBe(true);
    expect((await h.send('DELETE', `/api/recordings/${r.id}`, h.keys.admin, { reason: 'caller asked' })).status).toBe(
      200,
    );
    await worker().reconcile();
    expect(filesUnder(h.root).filter((f) => f.startsWith(r.rel))).toEqual([]);
    expect(await h.store.recordings.get(r.id)).toMatchObject({ state: 'purged', wrappedKey: null, storedBytes: 0 });
  });

  it('shows the backlog in metrics until the pool catches up', async () => {
    const scrape = async () =>
      /callrec_encryption_backlog (\d+)/.exec(await (await h.get('/metrics', h.keys.admin)).text())?.[1];
    await worker().reconcile();
    await addPlain();
    await addPlain();
    expect(await scrape()).toBe('2');
    await worker().reconcile();
    expect(await scrape()).toBe('0');
  });
});
