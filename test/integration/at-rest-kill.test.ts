// kill -9 of `callrec start` while its start-up pass encrypts a backlog: every row still has the
// file it points at, and the next pass leaves exactly one copy per recording, the ciphertext,
// which opens to the original audio.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { AtRestWorker } from '../../controller/src/recordings/at-rest-worker';
import { openBuffer, unwrapKey } from '../../controller/src/recordings/crypto';
import { keyringFrom } from '../../controller/src/recordings/keyring';
import { createStore, openDb, type Store } from '../../controller/src/store';
import { silentLogger } from '../../controller/src/util/logger';
import { runCli } from '../helpers/cli';
import { doneCall, recordingRow } from '../helpers/rows';

const ROOT = path.join(__dirname, '..', '..');
const N = 40;
const SIZE = 2 * 1024 * 1024;

async function seed(store: Store, root: string): Promise<Map<number, string>> {
  const sums = new Map<number, string>();
  const call = await store.calls.insert(
    doneCall('c', { node: 'n', consentOutcome: 'not-required', startedAt: new Date() }),
  );
  fs.mkdirSync(root, { recursive: true });
  for (let i = 0; i < N; i++) {
    const audio = crypto.randomBytes(SIZE);
    fs.writeFileSync(path.join(root, `r${i}.wav`), audio);
    const sha = crypto.createHash('sha256').update(audio).digest('hex');
    const rec = await store.recordings.insert({ callId: call.id, ...recordingRow(`r${i}.wav`) });
    await store.recordings.update(rec.id, { sha256: sha, sizeBytes: SIZE });
    sums.set(rec.id, sha);
  }
  return sums;
}

describe('kill -9 during encryption', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callrec-kill-'));
  const root = path.join(dir, 'rec');
  const keyFile = path.join(dir, 'master.keys');
  const env = {
    PATH: process.env.PATH ?? '',
    CALLREC_DB_URL: `sqlite:${path.join(dir, 'db.sqlite3')}`,
    CALLREC_RECORDINGS_DIR: root,
    CALLREC_MASTER_KEY_FILE: keyFile,
    CALLREC_HTTP_HOST: '127.0.0.1',
    CALLREC_HTTP_PORT: '',
    CALLREC_ARI_URL: 'http://127.0.0.1:2',
    CALLREC_AMI_PORT: '2',
    CALLREC_LOG_FORMAT: 'json',
    CALLREC_LOG_LEVEL: 'error',
  };
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('leaves a consistent state that the next pass completes', async () => {
    env.CALLREC_HTTP_PORT = String(
      await new Promise<number>((r) => {
        const s = net.createServer().listen(0, '127.0.0.1', () => {
          const p = (s.address() as net.AddressInfo).port;
          s.close(() => r(p));
        });
      }),
    );
    fs.writeFileSync(keyFile, `${crypto.randomBytes(32).toString('base64')}\n`);
    expect((await runCli(['migrate'], env)).code).toBe(0);
    const db = openDb(env.CALLREC_DB_URL);
    try {
      const store = createStore(db);
      const sums = await seed(store, root);
      const child = spawn(
        process.execPath,
        ['-r', './scripts/swc-register.js', '-e', "require('./controller/src/cli/main.ts').main(['start'])"],
        { cwd: ROOT, env, stdio: 'ignore' },
      );
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      // Kill as soon as the pass is under way: some recordings sealed, the rest not yet.
      const t0 = Date.now();
      while ((await store.atRest.backlogCount()) === N && Date.now() - t0 < 20_000)
        await new Promise((r) => setTimeout(r, 5));
      child.kill('SIGKILL');
      await exited;
      const left = await store.atRest.backlogCount();
      expect(left).toBeGreaterThan(0);
      expect(left).toBeLessThan(N);
      // Never neither: every row's file is there right after the kill.
      for (const id of sums.keys())
        expect(fs.existsSync(path.join(root, (await store.recordings.get(id))!.filePath))).toBe(true);

      const keyring = keyringFrom({ keyFile, masterKey: '' })!;
      await new AtRestWorker({ store, root, keyring, workers: 2, logger: silentLogger() }).reconcile();
      // Never both: one sealed file per recording, no temporaries, each opening to its audio.
      expect(fs.readdirSync(root).sort()).toEqual([...Array(N).keys()].map((i) => `r${i}.wav.enc`).sort());
      for (const [id, sha] of sums) {
        const row = (await store.recordings.get(id))!;
        const plain = await openBuffer(
          unwrapKey(keyring.active().key, keyring.active().id, row.wrappedKey!),
          fs.readFileSync(path.join(root, row.filePath)),
        );
        expect(crypto.createHash('sha256').update(plain).digest('hex')).toBe(sha);
      }
      expect(await store.atRest.backlogCount()).toBe(0);
    } finally {
      await db.close();
    }
  }, 60_000);
});
