// The compliance report over HTTP: per flow and month, calls by consent outcome, recordings paused
// and purged by reason; and the storage report shows a cost only when a price per minute is set.
import { CONSENT_OUTCOMES } from '../../controller/src/api/schemas';
import { startApi, type ApiHarness } from '../helpers/api';
import { seedConsentCalls } from '../helpers/compliance';
import { STORE_KINDS } from '../helpers/db';

describe.each(STORE_KINDS)('compliance report on %s', (kind) => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi(kind, { costPerMinute: 0 });
    await seedConsentCalls(h, 'sales');
    await h.addRecording({
      flow: 'support',
      consentOutcome: 'not-required',
      startedAt: new Date('2025-04-02T08:00:00Z'),
    });
  });
  afterAll(async () => {
    await h.close();
  });

  it('counts consent outcomes, pauses and purges per flow and month', async () => {
    const r = await h.get('/api/reports/compliance', h.keys.supervisor);
    expect(r.status).toBe(200);
    const body = (await r.json()) as { outcomes: string[]; purgeReasons: string[]; items: unknown[] };
    expect(body.outcomes).toEqual([...CONSENT_OUTCOMES]);
    expect(body.purgeReasons).toEqual(['deleted early', 'retention expired']);
    expect(body.items).toEqual([
      {
        month: '2025-03',
        flow: 'sales',
        calls: 9,
        consent: { announced: 3, accepted: 2, declined: 1, 'opted-out': 1, 'hung-up': 1, fallback: 1 },
        paused: 1,
        purged: { 'retention expired': 1, 'deleted early': 1 },
      },
      { month: '2025-04', flow: 'support', calls: 1, consent: { 'not-required': 1 }, paused: 0, purged: {} },
    ]);
  });

  it('reads a range (from inclusive, to exclusive), refuses a bad date, and is not for agents', async () => {
    const r = await h.get('/api/reports/compliance?from=2025-04-01T00:00:00Z&to=2025-05-01T00:00:00Z', h.keys.admin);
    expect(((await r.json()) as { items: Array<{ flow: string }> }).items.map((i) => i.flow)).toEqual(['support']);
    const bad = await h.get('/api/reports/compliance?from=March', h.keys.admin);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toContain('query.from');
    expect((await h.get('/api/reports/compliance', h.keys.agent)).status).toBe(403);
  });

  it('shows no cost in the storage report when no price per minute is set', async () => {
    const body = (await (await h.get('/api/reports/storage', h.keys.admin)).json()) as Record<string, unknown>;
    expect(body.costPerMinute).toBeNull();
    expect(body.totals).not.toHaveProperty('cost');
    expect((body.items as object[])[0]).not.toHaveProperty('cost');
  });
});
