// The rules as a whole over HTTP: effective values with their level, YAML export and import from
// the page, and "try a call" answering as `callrec explain` does (same engine).
import { effectiveRules, valuesOf } from '../../controller/src/policy/effective';
import { completeRule } from '../../controller/src/policy/rules';
import { RulesService } from '../../controller/src/policy/service';
import { startApi, type ApiHarness } from '../helpers/api';
import { STORE_KINDS } from '../helpers/db';
import { facts, SETTINGS } from '../helpers/rules';

type Json = Record<string, unknown>;

describe.each(STORE_KINDS)('rules tools API on %s', (kind) => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi(kind);
  });
  afterAll(async () => {
    await h.close();
  });

  const call = async (method: string, path: string, body?: unknown, key = h.keys.admin) => {
    const r = method === 'GET' ? await h.get(path, key) : await h.send(method, path, key, body);
    return { status: r.status, body: (await r.json()) as Json };
  };

  it('shows effective values, each marked with the level it comes from', async () => {
    await call('PUT', '/api/flows/sales', {
      defaults: { record: 'from-ringing' },
      applets: { dial: { kind: 'dial', consent: 'opt-out' } },
    });
    await call('PUT', '/api/campaigns/spring', { enabled: false, tier: 'extended' });
    const { status, body } = await call('GET', '/api/rules/effective');
    expect(status).toBe(200);
    const flows = body.flows as Array<{ name: string; defaults: Json; applets: Array<{ name: string; rule: Json }> }>;
    const sales = flows.find((f) => f.name === 'sales');
    expect(sales?.defaults).toMatchObject({
      record: { value: 'from-ringing', from: 'flow' },
      consent: { value: 'announce', from: 'account' },
    });
    expect(sales?.applets[0]).toMatchObject({
      name: 'dial',
      kind: 'dial',
      rule: {
        record: { value: 'from-ringing', from: 'flow' },
        consent: { value: 'opt-out', from: 'applet' },
        tier: { value: 'standard', from: 'account' },
      },
    });
    expect((body.campaigns as Json[]).find((c) => c.name === 'spring')).toMatchObject({
      enabled: false,
      rule: { tier: { value: 'extended', from: 'campaign' }, record: { value: 'from-answer', from: 'account' } },
    });
    // The values are the ones the policy layers (completeRule over the flow over the account).
    const rules = await h.store.rules.load();
    const f = rules.flows.get('sales');
    const applet = effectiveRules(rules).flows.find((x) => x.name === 'sales')?.applets[0];
    expect(valuesOf(applet!.rule)).toEqual(
      completeRule(f?.applets.get('dial')?.rule, completeRule(f?.defaults, rules.account.inboundDefault)),
    );
  });

  it('tries a call with the gate engine: the answer and reasons `callrec explain` gives', async () => {
    // Each test sets the rules it reads: another may have imported a file without `sales`.
    await call('PUT', '/api/flows/sales', { applets: { dial: { kind: 'dial', consent: 'opt-in' } } });
    const input = { flow: 'sales', applet: 'dial', from: '2125550123', to: '+12145550100' };
    const { status, body } = await call('POST', '/api/rules/try', input, h.keys.supervisor);
    expect(status).toBe(200);
    const expected = (await new RulesService(h.store.rules, SETTINGS).engine()).decide(facts(input));
    expect(body).toEqual({ decision: JSON.parse(JSON.stringify(expected)), tierLength: '180 days', atAnswer: null });
    expect(body.decision).toMatchObject({ consent: 'opt-in', source: 'applet', from: '+12125550123' });
    expect((body.decision as { reasons: string[] }).reasons[0]).toBe(
      'applet rule "sales/dial" (dial) applies, over the flow default',
    );
  });

  it("says what an answering user's mode does, as `callrec explain --agent` does", async () => {
    await call('PUT', '/api/flows/sales', { applets: { od: { kind: 'dial', record: 'on-demand', consent: 'none' } } });
    await call('PUT', '/api/users/777', { mode: 'always-with-pause', tier: 'extended' });
    const input = { flow: 'sales', applet: 'od', from: '2125550123', to: '+12145550100', agent: '777' };
    const { body } = await call('POST', '/api/rules/try', input, h.keys.supervisor);
    expect(body.atAnswer).toMatchObject({ action: 'start', pauseAllowed: true, tier: 'extended' });
    expect((body.atAnswer as { reasons: string[] }).reasons[0]).toBe('user "777" has mode always-with-pause');
    const outbound = await call('POST', '/api/rules/try', { ...input, direction: 'outbound' }, h.keys.supervisor);
    expect(outbound.body).toMatchObject({ atAnswer: null, decision: { record: 'from-answer', pauseAllowed: true } });
  });

  it('refuses a bad try with the field named, and agents altogether', async () => {
    expect(await call('POST', '/api/rules/try', { direction: 'sideways', flw: 'x' })).toMatchObject({
      status: 400,
      body: {
        fields: expect.arrayContaining([
          expect.objectContaining({ field: 'body.direction' }),
          expect.objectContaining({ field: 'body' }),
        ]) as unknown,
      },
    });
    expect((await call('POST', '/api/rules/try', {}, h.keys.agent)).status).toBe(403);
    expect((await call('GET', '/api/rules/effective', undefined, h.keys.supervisor)).status).toBe(403);
  });

  it('exports YAML that imports back; a bad file names the line and imports nothing', async () => {
    await call('PUT', '/api/flows/sales', { defaults: { record: 'from-ringing' } });
    const exported = await h.get('/api/rules/export', h.keys.admin);
    expect(exported.headers.get('content-type')).toMatch(/^text\/yaml/);
    const yaml = await exported.text();
    expect(yaml).toContain('sales:');
    const small = 'flows:\n  support:\n    defaults:\n      record: off\n';
    const bad = await call('POST', '/api/rules/import', {
      yaml: 'flows:\n  support:\n    defaults:\n      recrod: off\n',
    });
    expect(bad).toMatchObject({
      status: 400,
      body: {
        error: 'invalid-rules',
        message: '1 problem(s) in the YAML; nothing imported',
        fields: [
          { field: 'body.yaml', problem: 'flows.yaml:4:7: flows.support.defaults.recrod: unknown setting "recrod"' },
        ],
      },
    });
    expect((await call('GET', '/api/flows/sales')).status).toBe(200); // nothing imported
    const ok = await call('POST', '/api/rules/import', { yaml: small });
    expect(ok).toMatchObject({ status: 200, body: { flows: 1, applets: 0, campaigns: 0 } });
    expect((await call('GET', '/api/flows/sales')).status).toBe(404);
    expect((await call('GET', '/api/flows/support')).body).toMatchObject({ defaults: { record: 'off' } });
    const trail = await h.store.events.query({ type: 'rules-changed' }, 50);
    expect(trail.some((e) => (e.detail as Json | null)?.request === 'POST /api/rules/import')).toBe(true);
  });

  it('describes the new routes in the OpenAPI document', async () => {
    const doc = (await (await h.get('/api/openapi.json', h.keys.admin)).json()) as { paths: Json };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/rules/try', '/api/rules/effective', '/api/rules/export', '/api/rules/import']),
    );
  });
});
