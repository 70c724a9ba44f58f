// Who sees what. An agent asking for another agent's recording or call gets the same 404 as for an
// id that does not exist, so ids cannot be probed to learn which recordings exist.
import type { ApiKeyRecord } from '../domain/api-keys';
import type { RecordingRecord } from '../domain/records';
import { recordingFacts } from '../domain/recording-json';
import type { Store } from '../store';
import { ApiError, notFound } from './errors';

export function mayAccessAgent(key: ApiKeyRecord, agent: string | null, others: readonly string[] = []): boolean {
  return key.role !== 'agent' || (key.agent !== null && (agent === key.agent || others.includes(key.agent)));
}

/** An agent sees a recording of their own call, or one they took part in (a transfer). */
export async function visibleRecording(store: Store, id: number, key: ApiKeyRecord): Promise<RecordingRecord> {
  const rec = await store.recordings.get(id);
  if (!rec) throw notFound();
  if (mayAccessAgent(key, rec.agent) || mayAccessAgent(key, null, await store.recordings.agentsOf(id))) return rec;
  throw notFound();
}

/** A purged (or purging) recording is gone: 410, whoever asks. */
export function recordingIsGone(rec: RecordingRecord): void {
  if (rec.state === 'purged' || rec.state === 'purging')
    throw new ApiError(410, 'purged', `recording ${rec.id} was purged`);
}

/** The recording as the API shows it: no file path (the layout of the disk is not the client's business). */
export function recordingJson(r: RecordingRecord) {
  return {
    ...recordingFacts(r),
    recordMode: r.recordMode,
    channels: r.channels,
    pausedMs: r.pausedMs,
    onHold: r.onHold,
    holdReason: r.holdReason,
    holdCase: r.holdCase ?? null,
  };
}
