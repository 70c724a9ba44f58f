// Finished calls and recordings for retention and CLI tests, through the store as callrec writes them.
import type { Store } from '../../controller/src/store';
import { doneCall, recordingRow } from './rows';

let calls = 0;

export async function insertDoneCall(store: Store, startedAt = new Date('2020-01-01T00:00:00Z')): Promise<number> {
  const call = await store.calls.insert(doneCall(`c${++calls}`, { startedAt }));
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
    ...recordingRow(filePath, { tier, startedAt: new Date('2020-01-01T00:00:00Z') }),
  });
  await store.recordings.update(r.id, { retainUntil, sizeBytes: 44 });
  return r.id;
}

/**
 * `n` completed 44-byte recordings `r0.wav`… of one call as table rows, for a bulk insert where
 * thousands through the store would take too long. Started, ended and created at `at`.
 */
export function recordingColumns(callId: number, n: number, at: Date, retainUntil: (i: number) => Date) {
  return Array.from({ length: n }, (_, i) => ({
    call_id: callId,
    state: 'completed',
    file_path: `r${i}.wav`,
    record_mode: 'from-answer',
    tier: 'standard',
    direction: 'inbound',
    started_at: at,
    ended_at: at,
    retain_until: retainUntil(i),
    size_bytes: 44,
    created_at: at,
    updated_at: at,
  }));
}
