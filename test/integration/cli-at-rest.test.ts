// `callrec doctor` on encryption at rest and `callrec keys rotate-master --generate` end to end
// over a key file: the new key goes first, every data key moves under it, the audio stays put.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AtRestWorker } from '../../controller/src/recordings/at-rest-worker';
import { openBuffer, unwrapKey } from '../../controller/src/recordings/crypto';
import { keyringFrom, parseMasterKeys } from '../../controller/src/recordings/keyring';
import { createStore, openDb } from '../../controller/src/store';
import { silentLogger } from '../../controller/src/util/logger';
import { runCli } from '../helpers/cli';
import { doneCall, recordingRow } from '../helpers/rows';

const noPbx = { CALLREC_ARI_URL: 'http://127.0.0.1:2', CALLREC_AMI_PORT: '2' };

describe('encryption at rest from the command line', () => {
  // Each test has its own directory and database: they pass in any order (jest --randomize).
  let dir: string;
  let keyFile: string;
  let root: string;
  type Env = typeof noPbx & { CALLREC_DB_URL: string; CALLREC_RECORDINGS_DIR: string };
  let env: Env;
  let withKey: Env & { CALLREC_MASTER_KEY_FILE: string };
  const audio = crypto.randomBytes(100_000);
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callrec-cli-atrest-'));
    keyFile = path.join(dir, 'master.keys');
    root = path.join(dir, 'rec');
    env = { ...noPbx, CALLREC_DB_URL: `sqlite:${path.join(dir, 'db.sqlite3')}`, CALLREC_RECORDINGS_DIR: root };
    withKey = { ...env, CALLREC_MASTER_KEY_FILE: keyFile };
    expect((await runCli(['migrate'], env)).code).toBe(0);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function seal(): Promise<number> {
    const db = openDb(env.CALLREC_DB_URL);
    try {
      const store = createStore(db);
      const call = await store.calls.insert(
        doneCall('c1', { node: 'n', consentOutcome: 'not-required', startedAt: new Date() }),
      );
      fs.mkdirSync(root, { recursive: true });
      fs.writeFileSync(path.join(root, 'a.wav'), audio);
      const rec = await store.recordings.insert({ callId: call.id, ...recordingRow('a.wav') });
      expect((await runCli(['doctor'], withKey)).out.find((l) => l.includes('encryption'))).toMatch(
        /^WARN\s+encryption\s+on, master key mk-[0-9a-f]{16}; 1 recordings waiting to be encrypted$/,
      );
      await new AtRestWorker({
        store,
        root,
        keyring: keyringFrom({ keyFile, masterKey: '' })!,
        workers: 1,
        logger: silentLogger(),
      }).reconcile();
      return rec.id;
    } finally {
      await db.close();
    }
  }

  it('doctor warns while no master key is configured', async () => {
    const r = await runCli(['doctor'], env);
    expect(r.out.find((l) => l.includes('encryption'))).toMatch(
      /^WARN\s+encryption\s+off: no master key \(CALLREC_MASTER_KEY_FILE\); 0 recordings stored in plaintext$/,
    );
  });

  it('rotate-master --generate re-wraps under a new first key; the recording stays readable once the old key is gone', async () => {
    fs.writeFileSync(keyFile, `${crypto.randomBytes(32).toString('base64')}\n`);
    const id = await seal();
    const before = fs.readFileSync(path.join(root, 'a.wav.enc'));
    const r = await runCli(['keys', 'rotate-master', '--generate'], withKey);
    expect(r).toMatchObject({
      code: 0,
      out: [
        expect.stringMatching(/^re-wrapped 1 data keys under mk-[0-9a-f]{16}; 0 failed$/),
        'no recording needs another master key: the others can be removed',
      ],
    });
    const keys = parseMasterKeys(fs.readFileSync(keyFile, 'utf8'), keyFile);
    expect(keys).toHaveLength(2);
    expect((fs.statSync(keyFile).mode & 0o777).toString(8)).toBe('600');
    fs.writeFileSync(keyFile, `${keys[0]!.key.toString('base64')}\n`);
    const db = openDb(env.CALLREC_DB_URL);
    try {
      const row = (await createStore(db).recordings.get(id))!;
      expect(row.keyId).toBe(keys[0]!.id);
      expect(fs.readFileSync(path.join(root, 'a.wav.enc')).equals(before)).toBe(true);
      expect((await openBuffer(unwrapKey(keys[0]!.key, keys[0]!.id, row.wrappedKey!), before)).equals(audio)).toBe(
        true,
      );
    } finally {
      await db.close();
    }
    expect((await runCli(['doctor'], withKey)).out.find((l) => l.includes('encryption'))).toMatch(
      /^OK\s+encryption\s+on, master key /,
    );
  });

  it('doctor says when a transcoding format cannot run for want of ffmpeg', async () => {
    const r = await runCli(['doctor'], {
      ...withKey,
      CALLREC_TRANSCODE_STANDARD: 'opus',
      CALLREC_FFMPEG: '/nonexistent/ffmpeg',
    });
    expect(r.out.find((l) => l.includes('transcoding'))).toMatch(
      /^WARN\s+transcoding\s+standard opus, extended wav configured, but \/nonexistent\/ffmpeg does not run: recordings stay WAV/,
    );
  });

  it('doctor fails when recordings need a master key the configuration lacks', async () => {
    fs.writeFileSync(keyFile, `${crypto.randomBytes(32).toString('base64')}\n`);
    await seal();
    fs.writeFileSync(keyFile, `${crypto.randomBytes(32).toString('base64')}\n`);
    expect((await runCli(['doctor'], withKey)).out.find((l) => l.includes('encryption'))).toMatch(
      /^FAIL\s+encryption\s+.*1 recordings need master key mk-[0-9a-f]{16}, which is not configured$/,
    );
  });
});
