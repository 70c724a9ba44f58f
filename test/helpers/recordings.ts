// Finished calls and recordings for retention and CLI tests, through the store as callrec writes them.
import type { Store } from '../../controller/src/store';

let calls = 0;

export async function insertDoneCall(store: Store, startedAt = new Date('2020-01-01T00:00:00Z')): Promise<number> {
  const call = await store.calls.insert({
    node: 'pbx1',
    pbx: 'asterisk',
    pbxCallId: `c${++calls}`,
    direction: 'inbound',
    flow: null,
    applet: null,
    campaign: null,
    fromNumber: null,
    fromRaw: null,
    toNumber: null,
    toRaw: null,
    agent: null,
    language: null,
    state: 'done',
    recordMode: 'from-answer',
    consentMode: 'none',
    decision: null,
    startedAt,
  });
  return call.id;
}

/** A completed 44-byte recording kept until `retainUntil` (its file is the caller's business). */
export async function insertRecording(
  store: Store,
  callId: number,
  filePath: string,
  retainUntil: Date,
  tier: 'standard' | 'extended' = 'standard',
): Promise<number> {
  const r = await store.recordings.insert({
    callId,
    state: 'completed',
    filePath,
    recordMode: 'from-answer',
    tier,
    channels: 1,
    beep: false,
    direction: 'inbound',
    fromNumber: null,
    toNumber: null,
    agent: null,
    flow: null,
    campaign: null,
    startedAt: new Date('2020-01-01T00:00:00Z'),
  });
  await store.recordings.update(r.id, { retainUntil, sizeBytes: 44 });
  return r.id;
}
