// Rules CRUD through HTTP on both stores: the YAML import's schemas and wording, 404/409, and a
// change through the API seen by the next decision (rules version bumped by the repository).
import { parseRulesYaml } from '../../controller/src/policy/flows-yaml';
import { RulesService } from '../../controller/src/policy/service';
import { startApi, type ApiHarness } from '../helpers/api';
import { STORE_KINDS } from '../helpers/db';
import { facts, SETTINGS } from '../helpers/rules';

interface Problem {
  field: string;
  problem: string;
}

describe.each(STORE_KINDS)('rules API on %s', (kind) => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi(kind);
  });
  afterAll(async () => {
    await h.close();
  });

  const call = async (method: string, path: string, body?: unknown) => {
    const r = method === 'GET' ? await h.get(path, h.keys.admin) : await h.send(method, path, h.keys.admin, body);
    return { status: r.status, body: r.status === 204 ? null : ((await r.json()) as Record<string, unknown>) };
  };

  it('creates, reads, replaces and deletes a flow; 409 on a second create, 404 once gone', async () => {
    const sales = {
      name: 'sales',
      description: 'Sales line',
      defaults: { record: 'from-answer' },
      applets: { dial: { kind: 'dial', record: 'from-ringing', beep: true } },
    };
    expect(await call('POST', '/api/flows', sales)).toEqual({ status: 201, body: { ...sales, enabled: true } });
    expect(await call('POST', '/api/flows', sales)).toMatchObject({
      status: 409,
      body: { error: 'exists', message: 'flow "sales" already exists; PUT replaces it' },
    });
    // Other tests here add flows of their own (in any order): look at this one's.
    expect(
      ((await call('GET', '/api/flows')).body?.items as Array<{ name: string }>).filter((f) => f.name === 'sales'),
    ).toEqual([{ ...sales, enabled: true }]);
    // applets left out: the flow's applet rules stay (they are their own resource)
    expect(await call('PUT', '/api/flows/sales', { enabled: false })).toEqual({
      status: 200,
      body: { name: 'sales', enabled: false, applets: sales.applets },
    });
    expect(await call('PUT', '/api/flows/sales', { applets: {} })).toEqual({
      status: 200,
      body: { name: 'sales', enabled: true },
    });
    expect((await call('PUT', '/api/flows/new', {})).status).toBe(201);
    expect((await call('DELETE', '/api/flows/sales')).status).toBe(204);
    expect(await call('GET', '/api/flows/sales')).toMatchObject({
      status: 404,
      body: { message: 'flow "sales" not found' },
    });
    expect((await call('DELETE', '/api/flows/sales')).status).toBe(404);
  });

  it('manages applet rules inside a flow; an unknown flow or applet is 404', async () => {
    await call('PUT', '/api/flows/support', {});
    expect(await call('PUT', '/api/flows/nope/applets/queue', { kind: 'queue' })).toMatchObject({
      status: 404,
      body: { message: 'flow "nope" not found' },
    });
    expect((await call('GET', '/api/flows/nope/applets')).status).toBe(404);
    expect(
      await call('POST', '/api/flows/support/applets', { name: 'queue', kind: 'queue', consent: 'opt-out' }),
    ).toEqual({ status: 201, body: { name: 'queue', kind: 'queue', consent: 'opt-out' } });
    expect((await call('POST', '/api/flows/support/applets', { name: 'queue', kind: 'queue' })).status).toBe(409);
    expect(await call('PUT', '/api/flows/support/applets/queue', { kind: 'queue', record: 'off' })).toEqual({
      status: 200,
      body: { name: 'queue', kind: 'queue', record: 'off' },
    });
    expect((await call('GET', '/api/flows/support/applets')).body).toEqual({
      items: [{ name: 'queue', kind: 'queue', record: 'off' }],
    });
    expect((await call('GET', '/api/flows/support/applets/vm')).status).toBe(404);
    expect((await call('DELETE', '/api/flows/support/applets/queue')).status).toBe(204);
    expect((await call('DELETE', '/api/flows/support/applets/queue')).status).toBe(404);
  });

  it('manages campaigns, jurisdictions and area code entries, 409 on a taken name', async () => {
    expect(await call('POST', '/api/campaigns', { name: 'promo', record: 'off' })).toEqual({
      status: 201,
      body: { name: 'promo', enabled: true, record: 'off' },
    });
    expect((await call('POST', '/api/campaigns', { name: 'promo' })).status).toBe(409);
    expect((await call('DELETE', '/api/campaigns/promo')).status).toBe(204);
    expect((await call('GET', '/api/campaigns/promo')).status).toBe(404);
    const texas = { code: 'US-TX', name: 'Texas', allPartyConsent: false, minConsent: 'announce' };
    expect(await call('POST', '/api/jurisdictions', texas)).toEqual({ status: 201, body: texas });
    expect((await call('POST', '/api/jurisdictions', { ...texas, code: 'US-CA' })).status).toBe(409); // seeded
    expect(await call('GET', '/api/jurisdictions/US-CA')).toEqual({
      status: 200,
      body: { code: 'US-CA', name: 'California', allPartyConsent: true, minConsent: 'announce' },
    });
    expect((await call('DELETE', '/api/jurisdictions/US-TX')).status).toBe(204);
    expect((await call('DELETE', '/api/jurisdictions/US-TX')).status).toBe(404);
    expect((await call('GET', '/api/area-codes/310')).status).toBe(404); // placed by the generated data, not the table
    expect((await call('PUT', '/api/area-codes/800', { jurisdiction: 'US-TF' })).status).toBe(201);
    expect(await call('GET', '/api/area-codes/800')).toEqual({
      status: 200,
      body: { npa: '800', jurisdiction: 'US-TF' },
    });
    expect((await call('POST', '/api/area-codes', { npa: '800', jurisdiction: 'US-TF' })).status).toBe(409);
    expect((await call('PUT', '/api/area-codes/299', { jurisdiction: 'CA-ON' })).status).toBe(201);
    expect((await call('DELETE', '/api/area-codes/299')).status).toBe(204);
    expect((await call('DELETE', '/api/area-codes/800')).status).toBe(204);
  });

  it('manages users and their modes: admins write, supervisors read, agents neither; import keeps them unless it has users', async () => {
    const ben = { id: '202', name: 'Ben', mode: 'always', tier: 'extended' };
    expect(await call('POST', '/api/users', ben)).toEqual({ status: 201, body: ben });
    expect(await call('PUT', '/api/users/305', { mode: 'on-demand', pause: false })).toEqual({
      status: 201,
      body: { id: '305', mode: 'on-demand', pause: false },
    });
    expect(await call('PUT', '/api/users/305', { mode: 'sometimes' })).toMatchObject({
      status: 400,
      body: {
        fields: [{ field: 'body.mode', problem: '"sometimes" is not one of always, always-with-pause, on-demand' }],
      },
    });
    const sup = await h.get('/api/users', h.keys.supervisor);
    expect(sup.status).toBe(200);
    expect(((await sup.json()) as { items: unknown[] }).items).toEqual(
      expect.arrayContaining([ben, { id: '305', mode: 'on-demand', pause: false }]),
    );
    expect((await h.send('PUT', '/api/users/202', h.keys.supervisor, { mode: 'on-demand' })).status).toBe(403);
    expect((await h.send('DELETE', '/api/users/202', h.keys.supervisor)).status).toBe(403);
    expect((await h.get('/api/users', h.keys.agent)).status).toBe(403);
    // A flows.yaml without users: keeps them; with users: replaces them.
    const imported = await h.send('POST', '/api/rules/import', h.keys.admin, { yaml: 'flows: {}\n' });
    expect(await imported.json()).toMatchObject({ users: null });
    expect((await call('GET', '/api/users/202')).body).toEqual(ben);
    await h.send('POST', '/api/rules/import', h.keys.admin, { yaml: 'users:\n  "401": { mode: on-demand }\n' });
    expect((await call('GET', '/api/users')).body?.items).toEqual([{ id: '401', mode: 'on-demand' }]);
    const exported = await (await h.get('/api/rules/export', h.keys.admin)).text();
    expect(exported).toMatch(/users:\n {2}"?401"?:\n {4}mode: on-demand/);
    // Ids match exactly on both stores.
    expect((await call('PUT', '/api/users/Alice', { mode: 'always' })).status).toBe(201);
    expect((await call('PUT', '/api/users/alice', { mode: 'on-demand' })).status).toBe(201);
    expect((await call('GET', '/api/users/Alice')).body).toEqual({ id: 'Alice', mode: 'always' });
    await call('DELETE', '/api/users/Alice');
    await call('DELETE', '/api/users/alice');
    expect((await call('DELETE', '/api/users/401')).status).toBe(204);
    expect((await call('DELETE', '/api/users/401')).status).toBe(404);
  });

  it('answers one of two concurrent creates of the same name with 409', async () => {
    const both = await Promise.all(
      [1, 2].map(() => call('POST', '/api/campaigns', { name: 'race', consent: 'opt-in' })),
    );
    expect(both.map((r) => r.status).sort()).toEqual([201, 409]);
  });

  it('reads and replaces the account settings', async () => {
    expect((await call('GET', '/api/settings')).body).toMatchObject({
      outbound: { record: 'from-answer', consent: 'none' },
      languages: ['en', 'es'],
    });
    expect(await call('PUT', '/api/settings/internal', { record: 'on-demand' })).toMatchObject({
      status: 200,
      body: { record: 'on-demand', consent: 'none' },
    });
    expect(await call('PUT', '/api/settings/languages', ['en', 'fr'])).toEqual({ status: 200, body: ['en', 'fr'] });
    expect((await call('PUT', '/api/settings', { inbound: { tier: 'extended' } })).body).toMatchObject({
      inbound: { tier: 'extended' },
      internal: { record: 'on-demand' },
      languages: ['en', 'fr'],
    });
    expect((await call('GET', '/api/settings/inbound')).body).toMatchObject({
      tier: 'extended',
      record: 'from-answer',
    });
  });

  // [yaml that fails the import, method, path, body, the field the API names]
  it.each([
    [
      'flows:\n  sales:\n    defaults:\n      recrod: off\n',
      'PUT',
      '/api/flows/sales',
      { defaults: { recrod: 'off' } },
      'body.defaults.recrod',
    ],
    [
      'flows:\n  sales:\n    applets:\n      dial: { record: from-answer }\n',
      'PUT',
      '/api/flows/sales/applets/dial',
      { record: 'from-answer' },
      'body.kind',
    ],
    [
      'flows:\n  sales:\n    applets:\n      dial: { kind: dial, record: sometimes }\n',
      'POST',
      '/api/flows',
      { name: 'x', applets: { dial: { kind: 'dial', record: 'sometimes' } } },
      'body.applets.dial.record',
    ],
    ['campaigns:\n  promo:\n    beep: loud\n', 'PUT', '/api/campaigns/promo', { beep: 'loud' }, 'body.beep'],
    ['flows:\n  "sales line": {}\n', 'POST', '/api/flows', { name: 'sales line' }, 'body.name'],
    ['account:\n  outbound:\n    record: true\n', 'PUT', '/api/settings/outbound', { record: true }, 'body.record'],
    ['account:\n  languages: [English]\n', 'PUT', '/api/settings/languages', ['English'], 'body.0'],
  ])('words %j like the YAML import (%s %s)', async (yaml, method, path, body, field) => {
    const imported = parseRulesYaml(yaml, 'f.yaml');
    if (imported.ok) throw new Error('the YAML should fail');
    const r = await call(method, path, body);
    expect(r.status).toBe(400);
    const fields = r.body?.fields as Problem[];
    expect(fields).toHaveLength(1);
    expect(fields[0]?.field).toBe(field);
    expect(imported.errors[0]).toMatch(new RegExp(`: ${fields[0]!.problem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
  });

  it('names every bad field at once, in the path and in the body', async () => {
    const r = await call('PUT', '/api/jurisdictions/texas', { name: '', minConsent: 'maybe', extra: 1 });
    expect(r.status).toBe(400);
    expect((r.body?.fields as Problem[]).map((f) => f.field).sort()).toEqual([
      'body.allPartyConsent',
      'body.extra',
      'body.minConsent',
      'body.name',
      'params.code',
    ]);
    expect(r.body?.fields).toEqual(
      expect.arrayContaining([
        { field: 'body.allPartyConsent', problem: 'is required (boolean)' },
        { field: 'body.extra', problem: 'unknown setting "extra"' },
        { field: 'body.minConsent', problem: '"maybe" is not one of none, announce, opt-out, opt-in' },
      ]),
    );
    expect((await call('PUT', '/api/area-codes/012', { jurisdiction: 'California' })).body?.fields).toEqual([
      { field: 'params.npa', problem: 'an area code is 3 digits, not starting with 0 or 1' },
      { field: 'body.jurisdiction', problem: 'a jurisdiction code is a country (GB) or country-region (US-CA)' },
    ]);
  });

  it('is seen by the next decision without a restart', async () => {
    const rules = new RulesService(h.store.rules, SETTINGS);
    const inbound = facts({ flow: 'billing', applet: 'ivr', from: '+12125550123', to: '+12145550100' });
    const before = (await rules.engine()).decide(inbound);
    expect(before).toMatchObject({ source: 'account-default', record: 'from-answer', consent: 'announce' });

    await call('PUT', '/api/flows/billing', {
      applets: { ivr: { kind: 'ivr', record: 'from-ringing', consent: 'none', tier: 'extended' } },
    });
    expect((await rules.engine()).decide(inbound)).toMatchObject({
      source: 'applet',
      record: 'from-ringing',
      consent: 'none',
      tier: 'extended',
      fallback: null,
    });

    await call('PUT', '/api/area-codes/212', { jurisdiction: 'US-CA' }); // the caller now counts as all-party
    expect((await rules.engine()).decide(inbound)).toMatchObject({ consent: 'announce', jurisdictions: ['US-CA'] });

    await call('PUT', '/api/settings/outbound', { record: 'off' });
    expect((await rules.engine()).decide(facts({ direction: 'outbound' }))).toMatchObject({
      source: 'outbound',
      record: 'off',
    });
    // Put back what the other tests read, whatever order they run in.
    await call('PUT', '/api/area-codes/212', { jurisdiction: 'US-NY' });
    await call('PUT', '/api/settings/outbound', { record: 'from-answer' });
    await call('DELETE', '/api/flows/billing');
  });

  it('describes the rules routes in the OpenAPI document with the import schemas', async () => {
    const doc = (await (await h.get('/api/openapi.json', h.keys.admin)).json()) as {
      paths: Record<
        string,
        Record<
          string,
          { requestBody?: { content: { 'application/json': { schema: { properties?: Record<string, unknown> } } } } }
        >
      >;
    };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/flows',
        '/api/flows/{flow}',
        '/api/flows/{flow}/applets',
        '/api/flows/{flow}/applets/{applet}',
        '/api/campaigns/{campaign}',
        '/api/jurisdictions',
        '/api/jurisdictions/{code}',
        '/api/area-codes/{npa}',
        '/api/settings',
        '/api/settings/outbound',
        '/api/settings/languages',
      ]),
    );
    const post = doc.paths['/api/flows']?.post?.requestBody?.content['application/json'].schema.properties ?? {};
    expect(Object.keys(post).sort()).toEqual(['applets', 'defaults', 'description', 'enabled', 'name']);
  });
});
