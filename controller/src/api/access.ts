// Who sees what. An agent asking for another agent's recording or call gets the same 404 as for an
// id that does not exist, so ids cannot be probed to learn which recordings exist.
import type { ApiKeyRecord } from '../domain/api-keys';
import type { RecordingRecord } from '../domain/records';
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

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/** The recording as the API shows it: no file path (the layout of the disk is not the client's business). */
export function recordingJson(r: RecordingRecord) {
  return {
    id: r.id,
    callId: r.callId,
    state: r.state,
    recordMode: r.recordMode,
    tier: r.tier,
    channels: r.channels,
    direction: r.direction,
    from: r.fromNumber,
    to: r.toNumber,
    agent: r.agent,
    flow: r.flow,
    campaign: r.campaign,
    startedAt: iso(r.startedAt),
    endedAt: iso(r.endedAt),
    durationMs: r.durationMs,
    pausedMs: r.pausedMs,
    sizeBytes: r.sizeBytes,
    sha256: r.sha256,
    failureReason: r.failureReason,
    retainUntil: iso(r.retainUntil),
    onHold: r.onHold,
    holdReason: r.holdReason,
    purgedAt: iso(r.purgedAt),
  };
}
