// Route x role x expected status, through HTTP on both stores. `otherAgent` is an agent whose
// number differs from the recording's and the live call's: 404 where an agent may act, 403 where
// the role may not act at all.
import { generateApiKey } from '../../controller/src/domain/api-keys';
import { STORE_KINDS } from '../helpers/db';
import { startApi, type ApiHarness } from '../helpers/api';

type Who = 'none' | 'admin' | 'supervisor' | 'agent' | 'otherAgent';
const WHO: Who[] = ['none', 'admin', 'supervisor', 'agent', 'otherAgent'];

// [method, path ({id}: a fresh recording of agent 201; {call}: a live call of agent 201), body, expected per WHO]
const TABLE: Array<[string, string, unknown, [number, number, number, number, number]]> = [
  ['GET', '/api/recordings', undefined, [401, 200, 200, 200, 200]],
  ['GET', '/api/recordings/{id}', undefined, [401, 200, 200, 200, 404]],
  ['GET', '/api/recordings/{id}/audio', undefined, [401, 200, 200, 200, 404]],
  ['GET', '/api/recordings/{id}/audio?download=1', undefined, [401, 200, 200, 200, 404]],
  ['DELETE', '/api/recordings/{id}', { reason: 'customer asked' }, [401, 200, 200, 403, 403]],
  ['POST', '/api/recordings/{id}/hold', { reason: 'case 42' }, [401, 200, 200, 403, 403]],
  ['POST', '/api/recordings/{id}/release', { reason: 'case 1 closed' }, [401, 200, 403, 403, 403]],
  ['PUT', '/api/recordings/{id}/tier', { tier: 'extended' }, [401, 200, 200, 403, 403]],
  ['POST', '/api/recordings/{id}/resync', undefined, [401, 409, 409, 403, 403]],
  ['POST', '/api/recordings/delete-month', { month: '2020-01', reason: 'cleanup' }, [401, 200, 403, 403, 403]],
  ['GET', '/api/calls/live', undefined, [401, 200, 200, 200, 200]],
  ['POST', '/api/calls/{call}/recording/pause', undefined, [401, 200, 200, 200, 404]],
  ['POST', '/api/calls/{call}/recording/resume', undefined, [401, 200, 200, 200, 404]],
  ['GET', '/api/reports/storage', undefined, [401, 200, 200, 403, 403]],
  ['GET', '/api/reports/retention-runs', undefined, [401, 200, 200, 403, 403]],
  ['GET', '/api/keys', undefined, [401, 200, 403, 403, 403]],
  ['GET', '/api/audit', undefined, [401, 200, 403, 403, 403]],
  ['GET', '/api/flows', undefined, [401, 200, 403, 403, 403]],
  ['PUT', '/api/flows/sales', { enabled: true }, [401, 201, 403, 403, 403]],
  ['POST', '/api/flows/nope/applets', { name: 'dial', kind: 'dial' }, [401, 404, 403, 403, 403]],
  ['DELETE', '/api/campaigns/nope', undefined, [401, 404, 403, 403, 403]],
  [
    'POST',
    '/api/jurisdictions',
    { code: 'GB', name: 'United Kingdom', allPartyConsent: true, minConsent: 'announce' },
    [401, 409, 403, 403, 403],
  ],
  ['PUT', '/api/area-codes/310', { jurisdiction: 'US-CA' }, [401, 201, 403, 403, 403]],
  ['GET', '/api/settings', undefined, [401, 200, 403, 403, 403]],
  ['PUT', '/api/settings/outbound', { record: true }, [401, 400, 403, 403, 403]],
  ['GET', '/api/openapi.json', undefined, [401, 200, 200, 200, 200]],
  ['GET', '/metrics', undefined, [401, 200, 200, 403, 403]],
  ['GET', '/api/no-such-route', undefined, [401, 404, 404, 404, 404]],
  ['GET', '/healthz', undefined, [200, 200, 200, 200, 200]],
  ['GET', '/readyz', undefined, [200, 200, 200, 200, 200]],
];

describe.each(STORE_KINDS)('API roles on %s', (kind) => {
  let h: ApiHarness;
  // Every test here must pass in any order: none revokes a key another uses, and the failed-login
  // limiter (its own tests are in api-input) is set high enough that this table's anonymous 401s
  // never turn into 429s for the next test.
  beforeAll(async () => {
    h = await startApi(kind, { authLimits: { windowMs: 60_000, failures: 10_000 } });
    h.live.add(7, '201');
  });
  afterAll(async () => {
    await h.close();
  });

  const cases = TABLE.flatMap(([method, path, body, expected]) =>
    WHO.map((who, i) => [method, path, who, expected[i] as number, body] as const),
  );

  it.each(cases)('%s %s as %s -> %i', async (method, path, who, status, body) => {
    const rec = await h.addRecording({ agent: '201' });
    // Releasing needs a hold to release (the retention module answers 409 otherwise).
    if (path.endsWith('/release'))
      expect((await h.send('POST', `/api/recordings/${rec.id}/hold`, h.keys.admin, { reason: 'case 1' })).status).toBe(
        200,
      );
    const p = path.replace('{id}', String(rec.id)).replace('{call}', '7');
    const key = who === 'none' ? undefined : h.keys[who];
    const res = method === 'GET' ? await h.get(p, key) : await h.send(method, p, key ?? '', body);
    expect(res.status).toBe(status);
    if (status >= 400)
      expect(await res.json()).toMatchObject({ error: expect.any(String), message: expect.any(String) });
  });

  it('shows an agent only their own recordings in a search, whatever agent they ask for', async () => {
    await h.addRecording({ agent: '201' });
    await h.addRecording({ agent: '202' });
    const mine = (await (await h.get('/api/recordings?limit=200', h.keys.agent)).json()) as {
      items: Array<{ agent: string }>;
    };
    expect(mine.items.length).toBeGreaterThan(0);
    expect(new Set(mine.items.map((r) => r.agent))).toEqual(new Set(['201']));
    const theirs = (await (await h.get('/api/recordings?agent=202', h.keys.agent)).json()) as { items: unknown[] };
    expect(theirs.items).toEqual([]);
  });

  it('scopes an agent by the exact agent id (case, trailing spaces): the list and the detail agree', async () => {
    const k = generateApiKey();
    await h.store.keys.insert({ name: 'carol', prefix: k.prefix, hash: k.hash, role: 'agent', agent: 'carol' });
    const hers = await h.addRecording({ agent: 'carol' });
    const others = [
      await h.addRecording({ agent: 'CAROL' }),
      await h.addRecording({ agent: 'carol ' }),
      await h.addRecording({ agent: '201 ' }),
    ];
    const ids = async (p: string, key: string) =>
      ((await (await h.get(p, key)).json()) as { items: Array<{ id: number }> }).items.map((r) => r.id);
    expect(await ids('/api/recordings?limit=200', k.key)).toEqual([hers.id]);
    expect(await ids('/api/recordings?agent=carol', h.keys.admin)).toEqual([hers.id]);
    expect(await ids('/api/recordings?limit=200', h.keys.agent)).not.toContain(others[2]?.id);
    expect((await h.get(`/api/recordings/${hers.id}`, k.key)).status).toBe(200);
    for (const r of others)
      expect([r.agent, (await h.get(`/api/recordings/${r.id}`, k.key)).status]).toEqual([r.agent, 404]);
  });

  it('refuses a revoked key', async () => {
    const carol = generateApiKey();
    await h.store.keys.insert({
      name: 'carol-203',
      prefix: carol.prefix,
      hash: carol.hash,
      role: 'agent',
      agent: '203',
    });
    expect((await h.get('/api/recordings', carol.key)).status).toBe(200);
    const list = (await (await h.get('/api/keys', h.keys.admin)).json()) as {
      items: Array<{ id: number; name: string }>;
    };
    const id = list.items.find((k) => k.name === 'carol-203')?.id;
    expect(JSON.stringify(list)).not.toMatch(/hash|crk_/);
    expect((await h.send('DELETE', `/api/keys/${id}`, h.keys.admin)).status).toBe(204);
    expect((await h.get('/api/recordings', carol.key)).status).toBe(401);
    expect((await h.get('/api/recordings', h.keys.otherAgent)).status).toBe(200);
  });
});
