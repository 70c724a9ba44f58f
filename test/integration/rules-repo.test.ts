import fs from 'node:fs';
import path from 'node:path';
import { documentFromRuleSet } from '../../controller/src/policy/document';
import { parseRulesYaml, toRulesYaml } from '../../controller/src/policy/flows-yaml';
import { RulesService, type RulesSource } from '../../controller/src/policy/service';
import { createStore, openDb, type Db, type Store } from '../../controller/src/store';
import type { RulesDocument } from '../../controller/src/policy/document';
import * as areaCodeOverrides from '../../migrations/20261123201300_area_code_overrides';
import { openTestStore, STORE_KINDS, type TestDb } from '../helpers/db';
import { facts, SETTINGS } from '../helpers/rules';

const EXAMPLE = fs.readFileSync(path.join(__dirname, '../../flows.example.yaml'), 'utf8');
function exampleDoc(): RulesDocument {
  const r = parseRulesYaml(EXAMPLE);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.doc;
}

/** Counts the reloads the service makes, to prove an unchanged version costs no reload. */
function counting(source: RulesSource): RulesSource & { loads: number } {
  const c = {
    loads: 0,
    version: () => source.version(),
    load: () => {
      c.loads += 1;
      return source.load();
    },
  };
  return c;
}

describe.each(STORE_KINDS)('rules repo on %s', (kind) => {
  let tdb: TestDb;
  let db: Db;
  let other: Db; // a second connection pool: another controller process on the same database
  let store: Store;

  beforeAll(async () => {
    ({ tdb, db, store } = await openTestStore(kind));
    other = openDb(tdb.url);
  });
  afterAll(async () => {
    await other.close();
    await db.close();
    await tdb.drop();
  });

  it('starts with the seeded jurisdictions and no area code entries of its own (the data places them)', async () => {
    // A database of its own: the other tests here change the shared one, in any order.
    const fresh = await openTestStore(kind);
    try {
      const rules = await fresh.store.rules.load();
      expect(rules.jurisdictions.size).toBe(38);
      expect(rules.jurisdictions.get('US-CA')).toEqual({
        code: 'US-CA',
        name: 'California',
        allPartyConsent: true,
        minConsent: 'announce',
      });
      expect(rules.areaCodes.size).toBe(0);
      expect(rules.account.outbound.record).toBe('from-answer');
      expect(rules.version).toBeGreaterThanOrEqual(1);
    } finally {
      await fresh.dispose();
    }
  });

  it('drops the area codes the first policy migration seeded, keeping the ones the admin changed or added', async () => {
    const at = new Date();
    const rows = [
      ['310', 'US-CA'],
      ['436', 'US-OH'],
      ['212', 'US-CA'],
      ['800', 'US-TF'],
      ['837', 'US-NV'],
    ];
    await db.knex('area_codes').delete(); // whatever the other tests here left, in any order
    await db.knex('area_codes').insert(rows.map(([npa, jurisdiction]) => ({ npa, jurisdiction, updated_at: at })));
    await areaCodeOverrides.up(db.knex);
    expect(Object.fromEntries((await store.rules.load()).areaCodes)).toEqual({
      212: 'US-CA',
      800: 'US-TF',
      837: 'US-NV',
    });
    await db.knex('area_codes').delete();
  });

  it('imports the example and exports YAML that re-imports to the same rules', async () => {
    const n = await store.rules.importDocument(exampleDoc());
    expect(n).toEqual({ flows: 3, applets: 6, campaigns: 2, users: 3 });
    const first = await store.rules.load();
    expect(first.users.get('202')).toEqual({
      id: '202',
      name: 'Ben (finance)',
      mode: 'always',
      pause: null,
      tier: 'extended',
    });
    expect(first.flows.get('sales')?.applets.get('dial')).toEqual({
      applet: 'dial',
      kind: 'dial',
      rule: { record: 'from-ringing', consent: 'announce', beep: true },
    });
    const yaml = toRulesYaml(documentFromRuleSet(first));
    const again = parseRulesYaml(yaml);
    if (!again.ok) throw new Error(again.errors.join('\n'));
    await store.rules.importDocument(again.doc);
    const second = await store.rules.load();
    expect(second.version).toBeGreaterThan(first.version);
    expect({ ...second, version: 0 }).toEqual({ ...first, version: 0 });
    expect(toRulesYaml(documentFromRuleSet(second))).toBe(yaml);
  });

  it('imports all or nothing: a failing row rolls back the whole import', async () => {
    await store.rules.importDocument(exampleDoc());
    const before = await store.rules.load();
    // Bypasses validation on purpose: the database refuses a null applet kind mid-import.
    const bad = {
      flows: { a: { applets: { x: { kind: 'dial' } } }, b: { applets: { y: { kind: null as unknown as string } } } },
    };
    const outcome = await store.rules.importDocument(bad).then(
      (v) => ({ v }),
      (e: Error) => ({ e: e.message }),
    );
    expect(outcome).toEqual({ e: expect.stringMatching(/kind/i) }); // shows what came back if it ever resolves
    expect(await store.rules.load()).toEqual(before);
  });

  it("lets another process see a change at its next refresh (the controller's poll), and reloads only on change", async () => {
    await store.rules.importDocument(exampleDoc());
    const source = counting(createStore(other).rules);
    const service = new RulesService(source, SETTINGS);
    const call = facts({ flow: 'sales', applet: 'dial' });
    expect((await service.engine()).decide(call).record).toBe('from-ringing');
    await service.engine();
    await service.refresh();
    expect(source.loads).toBe(1);

    await store.rules.putFlow('sales', { applets: { dial: { kind: 'dial', record: 'on-demand' } } });
    await service.refresh();
    expect((await service.engine()).decide(call).record).toBe('on-demand');
    await store.rules.setFlowEnabled('sales', false);
    await service.refresh();
    expect((await service.engine()).decide(call)).toMatchObject({
      source: 'account-default',
      fallback: 'flow "sales" is disabled',
    });
    await store.rules.deleteFlow('sales');
    await service.refresh();
    expect((await service.engine()).decide(call).fallback).toBe('flow "sales" is not configured');
    expect(source.loads).toBe(4);
  });

  it('sees account, campaign, jurisdiction and area code edits', async () => {
    const service = new RulesService(store.rules, SETTINGS);
    await store.rules.setAccount({ outbound: { record: 'off' } });
    expect((await service.engine()).decide(facts({ direction: 'outbound' })).record).toBe('off');
    await store.rules.putCampaign('promo', { record: 'from-ringing', consent: 'opt-in' });
    expect((await service.engine()).decide(facts({ direction: 'outbound', campaign: 'promo' }))).toMatchObject({
      record: 'from-ringing',
      consent: 'opt-in',
    });
    await store.rules.deleteCampaign('promo');
    await store.rules.putAreaCode('212', 'US-CA');
    await store.rules.putJurisdiction({
      code: 'US-CA',
      name: 'California',
      allPartyConsent: true,
      minConsent: 'opt-out',
    });
    const d = (await service.engine()).decide(facts({ flow: 'nope', from: '+12125550123' }));
    expect(d).toMatchObject({ consent: 'opt-out', jurisdictions: ['US-CA'] });
    expect(await store.rules.deleteJurisdiction('US-CA')).toBe(true);
    expect((await service.engine()).decide(facts({ flow: 'nope', from: '+12125550123' })).jurisdictions).toEqual([]);
  });

  it("rolls a rules write back with the caller's transaction", async () => {
    const v = await store.rules.version();
    await expect(
      store.transaction(async (tx) => {
        await tx.rules.putCampaign('ghost', {});
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await store.rules.version()).toBe(v);
    expect((await store.rules.load()).campaigns.has('ghost')).toBe(false);
  });
});
