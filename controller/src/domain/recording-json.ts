// A recording as it is shown outside the controller (API answers, webhook payloads): no file path,
// no key material, dates as ISO strings.
import type { RecordingRecord } from './records';

const isoOrNull = (d: Date | null): string | null => (d ? d.toISOString() : null);

/** The facts every outside view of a recording carries; each view adds its own fields. */
export function recordingFacts(r: RecordingRecord) {
  return {
    id: r.id,
    callId: r.callId,
    state: r.state,
    tier: r.tier,
    direction: r.direction,
    from: r.fromNumber,
    to: r.toNumber,
    agent: r.agent,
    flow: r.flow,
    campaign: r.campaign,
    startedAt: isoOrNull(r.startedAt),
    endedAt: isoOrNull(r.endedAt),
    durationMs: r.durationMs,
    sizeBytes: r.sizeBytes,
    sha256: r.sha256,
    failureReason: r.failureReason,
    retainUntil: isoOrNull(r.retainUntil),
    purgedAt: isoOrNull(r.purgedAt),
  };
}
