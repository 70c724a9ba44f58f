// Key creation and revocation, each with its audit row in the same transaction: the API and the
// CLI both change keys, and neither change may happen unrecorded.
import type { ApiKeyRecord } from '../domain/api-keys';
import type { Store } from './index';
import type { NewApiKey } from './keys-repo';

export async function createKey(store: Store, k: NewApiKey, actor: string): Promise<ApiKeyRecord> {
  return store.transaction(async (tx) => {
    const rec = await tx.keys.insert(k);
    await tx.events.append({
      callId: null,
      recordingId: null,
      type: 'key-created',
      actor,
      detail: { keyId: rec.id, name: rec.name, role: rec.role, agent: rec.agent },
    });
    return rec;
  });
}

/** The revoked key, or null when there is no such active key. */
export async function revokeKey(store: Store, id: number, actor: string): Promise<ApiKeyRecord | null> {
  return store.transaction(async (tx) => {
    const key = await tx.keys.getActive(id);
    if (!key || !(await tx.keys.revoke(id))) return null;
    await tx.events.append({
      callId: null,
      recordingId: null,
      type: 'key-revoked',
      actor,
      detail: { keyId: id, name: key.name, role: key.role },
    });
    return key;
  });
}
