// `callrec doctor`'s view of encryption at rest: on or off, the backlog still in plaintext, and
// master keys that rows need but the keyring lacks (those recordings cannot be played).
import type { Config } from '../config';
import { keyringFrom } from '../recordings/keyring';
import { findFfmpeg } from '../recordings/transcode';
import { createStore, openDb } from '../store';

export interface EncryptionCheck {
  name: string;
  ok: boolean;
  warn?: boolean;
  detail: string;
}

export async function encryptionCheck(cfg: Config): Promise<EncryptionCheck> {
  let keyring;
  try {
    keyring = keyringFrom(cfg.encryption);
  } catch (e) {
    return { name: 'encryption', ok: false, detail: (e as Error).message };
  }
  const db = openDb(cfg.db.url);
  try {
    const store = createStore(db);
    const [backlog, byMaster] = await Promise.all([store.atRest.backlogCount(), store.atRest.keysByMaster()]);
    if (!keyring) {
      return {
        name: 'encryption',
        ok: true,
        warn: true,
        detail: `off: no master key (CALLREC_MASTER_KEY_FILE); ${backlog} recordings stored in plaintext`,
      };
    }
    const known = new Set(keyring.all().map((k) => k.id));
    const lacking = Object.entries(byMaster).filter(([id]) => !known.has(id));
    const detail = `on, master key ${keyring.active().id}; ${backlog} recordings waiting to be encrypted`;
    return lacking.length === 0
      ? { name: 'encryption', ok: true, warn: backlog > 0, detail }
      : {
          name: 'encryption',
          ok: false,
          detail: `${detail}; ${lacking.map(([id, n]) => `${n} recordings need master key ${id}, which is not configured`).join('; ')}`,
        };
  } catch (e) {
    return { name: 'encryption', ok: false, detail: `not checked: ${(e as Error).message}` };
  } finally {
    await db.close();
  }
}

/** Transcoding: nothing to say when every tier stays WAV; WARN when a format needs ffmpeg it cannot run. */
export async function transcodeCheck(cfg: Config): Promise<EncryptionCheck[]> {
  const t = cfg.transcode;
  if (t.standard === 'wav' && t.extended === 'wav') return [];
  const wanted = `standard ${t.standard}, extended ${t.extended}`;
  if (!(await findFfmpeg(t.ffmpeg)))
    return [
      {
        name: 'transcoding',
        ok: true,
        warn: true,
        detail: `${wanted} configured, but ${t.ffmpeg} does not run: recordings stay WAV (apt-get install ffmpeg)`,
      },
    ];
  if (!keyringFrom(cfg.encryption))
    return [
      {
        name: 'transcoding',
        ok: true,
        warn: true,
        detail: `${wanted} configured, but transcoding runs in the encryption pool, which is off without a master key`,
      },
    ];
  return [{ name: 'transcoding', ok: true, detail: `${wanted} with ${t.ffmpeg}` }];
}
