// A gated call on the ARI simulator with encryption at rest on: once the recording completes, the
// pool seals it and nothing under the recordings root is plaintext audio any more.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AtRestWorker } from '../../controller/src/recordings/at-rest-worker';
import { openBuffer, unwrapKey } from '../../controller/src/recordings/crypto';
import { Keyring, masterKeyId } from '../../controller/src/recordings/keyring';
import { silentLogger } from '../../controller/src/util/logger';
import { decision, fixedEngine, until, writeWav } from '../helpers/call-harness';
import { startHarness, type Harness } from '../helpers/asterisk/gate-harness';

const key = crypto.randomBytes(32);
const master = { id: masterKeyId(key), key };

/** Every regular file under root that does not start with the sealed format's magic. */
function plaintextUnder(root: string): string[] {
  return fs
    .readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.join(d.parentPath, d.name))
    .filter((f) => {
      const fd = fs.openSync(f, 'r');
      const b = Buffer.alloc(4);
      fs.readSync(fd, b, 0, 4, 0);
      fs.closeSync(fd);
      return b.toString('latin1') !== 'CRAE';
    });
}

describe('a completed call with encryption at rest', () => {
  let h: Harness;
  let worker: AtRestWorker | null = null;
  beforeAll(async () => {
    h = await startHarness({
      engine: fixedEngine({ answer: decision({ consent: 'none', greeting: null }) }),
      atRest: (store, dir) =>
        (worker = new AtRestWorker({
          store,
          root: dir,
          keyring: new Keyring(() => [master]),
          workers: 2,
          logger: silentLogger(),
          reconcileEveryMs: 0,
        })),
    });
  });
  afterAll(async () => {
    await worker?.stop();
    await h.close();
  });

  it('leaves no plaintext audio under the recordings root, and the ciphertext opens to the PBX file', async () => {
    let written = Buffer.alloc(0);
    h.sim.onRecord = (_id, file) => {
      writeWav(file, 3);
      written = fs.readFileSync(file);
    };
    const ch = h.sim.addChannel();
    h.sim.enterStasis(ch.id, ['gate', 'sales', 'answer']);
    await until(async () => (await h.store.calls.findByPbxId('pbx1', ch.id)) !== null, 5000, 'call row');
    const call = (await h.store.calls.findByPbxId('pbx1', ch.id))!;
    await until(async () => (await h.store.recordings.forCall(call.id))[0]?.state === 'recording', 5000, 'recording');
    h.sim.hangup(ch.id);
    await until(
      async () => ((await h.store.recordings.forCall(call.id))[0]?.storedBytes ?? null) !== null,
      5000,
      'sealed',
    );
    const rec = (await h.store.recordings.forCall(call.id))[0]!;
    expect(rec).toMatchObject({
      state: 'completed',
      sizeBytes: written.length,
      keyId: master.id,
      filePath: expect.stringMatching(/\.wav\.enc$/),
    });
    expect(plaintextUnder(h.dir)).toEqual([]);
    const sealed = fs.readFileSync(path.join(h.dir, rec.filePath));
    expect((await openBuffer(unwrapKey(key, master.id, rec.wrappedKey!), sealed)).equals(written)).toBe(true);
  });
});
