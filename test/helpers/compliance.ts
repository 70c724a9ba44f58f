// Calls with every consent outcome, one recording paused and two purged (one by retention, one
// deleted early), for the compliance report's API and e2e tests.
import type { ConsentOutcome } from '../../controller/src/domain/records';
import type { ApiHarness } from './api';

/** How many calls of each outcome seedConsentCalls makes. */
export const SEEDED_OUTCOMES: Partial<Record<ConsentOutcome, number>> = {
  announced: 3,
  accepted: 2,
  declined: 1,
  'opted-out': 1,
  'hung-up': 1,
  fallback: 1,
};

/** Seeds `flow`'s calls in March 2025 (UTC); `file` is the audio each recording gets. */
export async function seedConsentCalls(h: ApiHarness, flow: string, file?: Buffer): Promise<void> {
  const ids: number[] = [];
  let n = 0;
  for (const [outcome, count] of Object.entries(SEEDED_OUTCOMES)) {
    for (let i = 0; i < (count ?? 0); i += 1) {
      n += 1;
      const startedAt = new Date(Date.UTC(2025, 2, 3, 9, 0, n));
      const rec = await h.addRecording({ flow, consentOutcome: outcome as ConsentOutcome, startedAt, file });
      ids.push(rec.id);
    }
  }
  const [paused, expired, deleted] = ids;
  await h.store.recordings.update(paused!, { pausedMs: 4000 });
  await h.store.recordings.update(expired!, { state: 'purged' });
  await h.store.knex('recording_tombstones').insert({
    recording_id: expired,
    purged_by: 'retention-run:1',
    purge_reason: 'retention expired',
    purged_at: new Date(),
  });
  const r = await h.send('DELETE', `/api/recordings/${deleted}`, h.keys.admin, { reason: 'asked by the caller' });
  if (r.status !== 200) throw new Error(`could not delete recording ${deleted}: HTTP ${r.status}`);
}
