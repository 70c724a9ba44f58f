// Master key rotation: every data key not under the active master key is unwrapped with the key
// that wraps it and wrapped again under the active one. The audio files are not touched.
import crypto from 'node:crypto';
import type { Store } from '../store';
import { unwrapKey, wrapKey } from './crypto';
import { masterKeyId, type Keyring, type MasterKey } from './keyring';

export interface RotationReport {
  masterKey: string;
  rewrapped: number;
  failed: Array<{ id: number; detail: string }>;
  stillUsed: string[];
}

const PAGE = 500;

export async function rewrapAll(store: Store, keyring: Keyring): Promise<RotationReport> {
  const active = keyring.active();
  const failed: RotationReport['failed'] = [];
  let rewrapped = 0;
  let after = 0;
  for (;;) {
    const page = await store.atRest.wrappedNotUnder(active.id, after, PAGE);
    if (page.length === 0) break;
    after = page[page.length - 1]?.id ?? after;
    for (const r of page) {
      const old = keyring.get(r.keyId);
      if (!old) {
        failed.push({ id: r.id, detail: `master key ${r.keyId} is not in the keyring` });
        continue;
      }
      try {
        const dataKey = unwrapKey(old.key, old.id, r.wrappedKey);
        // A row purged meanwhile keeps its shredded state: rewrap only matches the key it read.
        if (await store.atRest.rewrap(r.id, r, active.id, wrapKey(active.key, active.id, dataKey))) rewrapped += 1;
      } catch (e) {
        failed.push({ id: r.id, detail: (e as Error).message });
      }
    }
  }
  const stillUsed = Object.keys(await store.atRest.keysByMaster()).filter((id) => id !== active.id);
  return { masterKey: active.id, rewrapped, failed, stillUsed };
}

export function generateMasterKey(): MasterKey {
  const key = crypto.randomBytes(32);
  return { id: masterKeyId(key), key };
}
