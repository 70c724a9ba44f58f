// Bad input of every kind gets a JSON answer naming the problem, and loses nothing: oversized and
// malformed bodies, SQL metacharacters in every filter, unknown fields; plus search semantics.
import { STORE_KINDS } from '../helpers/db';
import { startApi, type ApiHarness } from '../helpers/api';

const NASTY = [
  "' OR '1'='1",
  '1; DROP TABLE recordings; --',
  '%',
  '_',
  '\\',
  '" OR ""="',
  "201' --",
  '*/ UNION SELECT * FROM api_keys /*',
];
const FREE_TEXT = ['agent', 'flow', 'campaign'];
const CHECKED = ['number', 'direction', 'state', 'tier', 'from', 'to', 'sort', 'limit', 'cursor'];

interface Page {
  items: Array<{ id: number; from: string; to: string; startedAt: string }>;
  nextCursor: string | null;
}

describe.each(STORE_KINDS)('API input on %s', (kind) => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi(kind);
  });
  afterAll(async () => {
    await h.close();
  });

  const search = async (q: string, key = h.keys.admin) => {
    const r = await h.get(`/api/recordings?${q}`, key);
    return { status: r.status, body: (await r.json()) as Page & { error?: string; fields?: Array<{ field: string }> } };
  };

  it('answers 413 in JSON for a body over the limit, and changes nothing', async () => {
    const rec = await h.addRecording();
    const r = await h.send('POST', `/api/recordings/${rec.id}/hold`, h.keys.admin, { reason: 'x'.repeat(5000) });
    expect(r.status).toBe(413);
    expect(await r.json()).toMatchObject({ error: 'body-too-large' });
    expect((await h.store.recordings.get(rec.id))?.onHold).toBe(false);
  });

  it.each(['{"reason": ', '{reason: "x"}', 'null', '[1,2'])(
    'answers 400 in JSON for the malformed body %s',
    async (raw) => {
      const rec = await h.addRecording();
      const r = await h.send('POST', `/api/recordings/${rec.id}/hold`, h.keys.admin, raw);
      expect(r.status).toBe(400);
      expect(await r.json()).toMatchObject({ error: expect.stringMatching(/malformed-json|invalid-request/) });
    },
  );

  it('names the field and the problem for an invalid body', async () => {
    const rec = await h.addRecording();
    const r = await h.send('PUT', `/api/recordings/${rec.id}/tier`, h.keys.admin, { tier: 'forever', colour: 'red' });
    expect(r.status).toBe(400);
    const body = (await r.json()) as { fields: Array<{ field: string; problem: string }>; message: string };
    expect(body.fields.map((f) => f.field).sort()).toEqual(['body', 'body.tier']);
    expect(body.message).toMatch(/body.tier: .*standard.*extended/);
    expect(body.message).toMatch(/colour/);
  });

  it.each(FREE_TEXT.flatMap((f) => NASTY.map((v) => [f, v])))(
    'treats %s=%s as a plain value (200, nothing matched)',
    async (field, value) => {
      await h.addRecording();
      const r = await search(`${field}=${encodeURIComponent(value)}`);
      expect(r.status).toBe(200);
      expect(r.body.items).toEqual([]);
    },
  );

  it.each(CHECKED.flatMap((f) => NASTY.map((v) => [f, v])))(
    'refuses %s=%s with 400 naming the field',
    async (field, value) => {
      const r = await search(`${field}=${encodeURIComponent(value)}`);
      expect(r.status).toBe(400);
      expect(r.body.fields?.map((x) => x.field)).toContain(`query.${field}`);
    },
  );

  it('still has every table and row after the metacharacters', async () => {
    // Its own row and its own metacharacters: the tests above may run after it (jest --randomize).
    const mine = await h.addRecording();
    for (const v of NASTY)
      for (const f of FREE_TEXT) expect((await search(`${f}=${encodeURIComponent(v)}`)).status).toBe(200);
    const r = await search('limit=200');
    expect(r.status).toBe(200);
    expect(r.body.items.map((x) => x.id)).toContain(mine.id);
    expect((await h.store.keys.list()).length).toBe(4);
  });

  it('refuses unknown and repeated query parameters', async () => {
    expect((await search('colour=red')).body.fields).toEqual([
      { field: 'query', problem: expect.stringMatching(/colour/) },
    ]);
    expect((await search('agent=1&agent=2')).status).toBe(400);
  });

  it('finds a number in any stored form, as caller or callee', async () => {
    const a = await h.addRecording({ fromNumber: '+14155550111', toNumber: '+12125550123' });
    const b = await h.addRecording({ fromNumber: '+12125550999', toNumber: '+14155550111' });
    const c = await h.addRecording({ fromNumber: '4155550111', toNumber: '201' }); // stored raw by a gate that could not normalize
    for (const q of [
      '+14155550111',
      '4155550111',
      '(415) 555-0111',
      '415.555.0111',
      '1 415 555 0111',
      '0014155550111',
    ]) {
      const r = await search(`number=${encodeURIComponent(q)}`);
      expect(r.status).toBe(200);
      expect(r.body.items.map((i) => i.id).sort((x, y) => x - y)).toEqual(expect.arrayContaining([a.id, b.id]));
    }
    expect((await search('number=4155550111')).body.items.map((i) => i.id)).toContain(c.id);
    expect((await search('number=201')).body.items.map((i) => i.id)).toEqual([c.id]);
  });

  it('pages through results with a cursor, newest first, without gaps or repeats', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 7; i += 1)
      ids.push((await h.addRecording({ flow: 'paging', startedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i % 3)) })).id);
    const seen: number[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const r = await search(`flow=paging&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(r.status).toBe(200);
      seen.push(...r.body.items.map((i) => i.id));
      cursor = r.body.nextCursor;
    }
    expect([...seen].sort((a, b) => a - b)).toEqual(ids);
    const asc = await search('flow=paging&sort=asc&limit=200');
    expect(asc.body.items.map((i) => i.id)).toEqual([...seen].reverse());
    const windowed = await search(`flow=paging&from=2026-01-01T00:00:01Z&to=2026-01-01T00:00:02Z`);
    expect(windowed.body.items).toHaveLength(2);
  });

  it('reports storage per month and tier with the cost', async () => {
    await h.addRecording({ tier: 'extended', startedAt: new Date('2025-03-10T00:00:00Z') });
    await h.addRecording({ tier: 'extended', startedAt: new Date('2025-03-11T00:00:00Z') });
    const r = await (
      await h.get('/api/reports/storage?from=2025-03-01T00:00:00Z&to=2025-04-01T00:00:00Z', h.keys.supervisor)
    ).json();
    expect(r).toEqual({
      costPerMinute: 0.01,
      items: [{ month: '2025-03', tier: 'extended', count: 2, minutes: 3, bytes: 2000, cost: 0.03 }],
      totals: { count: 2, minutes: 3, bytes: 2000, cost: 0.03 },
    });
  });

  it('lists retention runs newest first', async () => {
    await h.db.knex('retention_runs').insert({
      node: 'pbx1',
      trigger: 'cron',
      dry_run: false,
      state: 'finished',
      started_at: new Date('2026-01-01T03:00:00Z'),
      purged: 4,
      bytes_freed: 4096,
    });
    await h.db.knex('retention_runs').insert({
      node: 'pbx1',
      trigger: 'cli',
      dry_run: true,
      state: 'finished',
      started_at: new Date('2026-01-02T03:00:00Z'),
    });
    const r = (await (await h.get('/api/reports/retention-runs?limit=1', h.keys.admin)).json()) as {
      items: Array<Record<string, unknown>>;
    };
    expect(r.items).toEqual([
      expect.objectContaining({ trigger: 'cli', dryRun: true, startedAt: '2026-01-02T03:00:00.000Z' }),
    ]);
  });

  it('refuses a delete while on hold with 409 and audits hold, tier change and delete', async () => {
    const rec = await h.addRecording();
    expect(
      (await h.send('POST', `/api/recordings/${rec.id}/hold`, h.keys.supervisor, { reason: 'case 42' })).status,
    ).toBe(200);
    const refused = await h.send('DELETE', `/api/recordings/${rec.id}`, h.keys.admin, {});
    expect(refused.status).toBe(409);
    expect((await h.send('PUT', `/api/recordings/${rec.id}/tier`, h.keys.admin, { tier: 'extended' })).status).toBe(
      200,
    );
    expect(
      (await h.send('POST', `/api/recordings/${rec.id}/release`, h.keys.admin, { reason: 'case 42 closed' })).status,
    ).toBe(200);
    expect((await h.send('DELETE', `/api/recordings/${rec.id}`, h.keys.admin)).status).toBe(200);
    const events = (await h.store.events.forRecording(rec.id)).map((e) => [e.type, e.actor]);
    expect(events).toEqual([
      ['held', 'lead (supervisor, key 2)'],
      ['tier-changed', 'ops (admin, key 1)'],
      ['released', 'ops (admin, key 1)'],
      ['deleted', 'ops (admin, key 1)'],
    ]);
    const detail = (await (await h.get(`/api/recordings/${rec.id}`, h.keys.admin)).json()) as Record<
      string,
      { consentOutcome?: string }
    >;
    expect(detail).toMatchObject({
      recording: { id: rec.id, state: 'purged' },
      call: { consentOutcome: 'announced', decision: { reasons: ['applet rule sales/dial'] } },
    });
    expect(JSON.stringify(detail)).not.toContain('file_path');
  });

  it('maps live-call refusals to 409 and PBX failures to 502', async () => {
    h.live.add(9, '201');
    h.live.failWith = { kind: 'not-allowed', detail: 'pause is not allowed by sales/dial' };
    expect((await h.send('POST', '/api/calls/9/recording/pause', h.keys.agent)).status).toBe(409);
    h.live.failWith = { kind: 'pbx', detail: 'not connected' };
    expect(await (await h.send('POST', '/api/calls/9/recording/pause', h.keys.agent)).json()).toMatchObject({
      error: 'pbx',
      message: 'not connected',
    });
    h.live.failWith = null;
    expect((await h.send('POST', '/api/calls/9/recording/jump', h.keys.agent)).status).toBe(400);
    expect(h.live.actions.at(-1)).toMatchObject({ callId: 9, action: 'pause', actor: 'alice (agent, key 3)' });
  });

  it('describes every route in the OpenAPI document from the validating schemas', async () => {
    const doc = (await (await h.get('/api/openapi.json', h.keys.agent)).json()) as {
      openapi: string;
      paths: Record<string, Record<string, { parameters?: Array<{ name: string; schema: { enum?: string[] } }> }>>;
    };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/recordings',
        '/api/recordings/{id}',
        '/api/recordings/{id}/audio',
        '/api/recordings/{id}/hold',
        '/api/recordings/{id}/resync',
        '/api/calls/live',
        '/api/calls/{id}/recording/{action}',
        '/api/reports/storage',
        '/api/flows',
        '/api/jurisdictions/{code}',
      ]),
    );
    const tier = doc.paths['/api/recordings']?.get?.parameters?.find((p) => p.name === 'tier');
    expect(tier?.schema.enum).toEqual(['standard', 'extended']);
  });

  it('answers unknown routes outside /api with JSON 404', async () => {
    const r = await h.get('/nowhere');
    expect(r.status).toBe(404);
    expect(await r.json()).toMatchObject({ error: 'not-found' });
  });
});

describe('failed authentication', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi('sqlite', { authLimits: { windowMs: 60_000, failures: 3 } });
  });
  afterAll(async () => {
    await h.close();
  });

  it('counts only refused keys, then blocks the client address for the window', async () => {
    const bad = 'crk_000000000000_wrong';
    for (let i = 0; i < 2; i += 1) expect((await h.get('/api/recordings', bad)).status).toBe(401);
    for (let i = 0; i < 5; i += 1) expect((await h.get('/api/recordings/999', h.keys.admin)).status).toBe(404);
    expect((await h.get('/api/recordings', bad)).status).toBe(401);
    const limited = await h.get('/api/recordings', bad);
    expect(limited.status).toBe(429);
    expect(await limited.json()).toMatchObject({ error: 'too-many-failures' });
    // A valid key is never refused by the limiter: refused guesses must not lock real users out.
    expect((await h.get('/api/recordings', h.keys.admin)).status).toBe(200);
    expect(h.logs.join('\n')).not.toContain('wrong');
  });
});
