// Recording rules: flows, applet rules, campaigns, account settings, jurisdictions, area codes.
// Every write runs in a transaction that also bumps settings.rules_version, which is how every
// controller's RulesService notices the change on its next call (one primary-key read).
import type { Knex } from 'knex';
import type { ConsentMode } from '../domain/records';
import { ruleFieldsOf, type AppletDocument, type CampaignDocument, type FlowDocument, type RulesDocument } from '../policy/document';
import {
  completeRule, DEFAULT_ACCOUNT, type AccountSettings, type AppletRule, type CampaignRules, type FlowRules,
  type Jurisdiction, type RuleFields, type RuleSet,
} from '../policy/rules';
import type { RulesSource } from '../policy/service';
import { fromJson, toBool, toJson, type Row } from './rows';

const VERSION_KEY = 'rules_version';
const ACCOUNT_KEYS = { inbound: 'account.inbound', outbound: 'account.outbound', internal: 'account.internal', languages: 'account.languages' } as const;

export type AccountPatch = NonNullable<RulesDocument['account']>;

/** create: refuse a name already taken ('exists'); put: create or replace. */
export type PutMode = 'create' | 'put';
export type PutOutcome = 'created' | 'replaced' | 'exists';

class Taken extends Error {}
// A concurrent create that passed the existence check still meets the unique index.
const DUPLICATE_CODES = new Set(['ER_DUP_ENTRY', 'SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY']);
const isTaken = (e: unknown): boolean => e instanceof Taken || DUPLICATE_CODES.has(String((e as { code?: unknown }).code));

export class RulesRepo implements RulesSource {
  constructor(private readonly knex: Knex, private readonly now: () => Date = () => new Date()) {}

  async version(): Promise<number> {
    const row = (await this.knex('settings').select('value').where({ key: VERSION_KEY }).first()) as Row | undefined;
    return row ? Number(row.value) : 0;
  }

  /** The whole rule set, read in one transaction so it matches the version it carries. */
  async load(): Promise<RuleSet> {
    return this.knex.transaction(async (trx) => {
      const version = await new RulesRepo(trx, this.now).version();
      const [settings, flows, applets, campaigns, jurisdictions, areaCodes] = await Promise.all([
        trx('settings').select('key', 'value'), trx('flows').select(), trx('applet_rules').select(),
        trx('campaigns').select(), trx('jurisdictions').select(), trx('area_codes').select('npa', 'jurisdiction'),
      ]) as Row[][];
      return {
        version,
        account: accountFrom(settings ?? []),
        flows: flowsFrom(flows ?? [], applets ?? []),
        campaigns: new Map((campaigns ?? []).map((r) => {
          const c: CampaignRules = { name: String(r.name), enabled: toBool(r.enabled), rule: fromJson<RuleFields>(r.rule) ?? {} };
          return [c.name, c];
        })),
        jurisdictions: new Map((jurisdictions ?? []).map((r) => [String(r.code), jurisdictionFrom(r)])),
        areaCodes: new Map((areaCodes ?? []).map((r) => [String(r.npa), String(r.jurisdiction)])),
      };
    });
  }

  /** Runs fn in a transaction (a savepoint when already in one) and bumps the rules version. */
  private async write<T>(fn: (trx: Knex) => Promise<T>): Promise<T> {
    return this.knex.transaction(async (trx) => {
      const out = await fn(trx);
      const at = this.now();
      const n = await trx('settings').where({ key: VERSION_KEY }).update({ value: trx.raw('?? + 1', ['value']), updated_at: at });
      if (n === 0) await trx('settings').insert({ key: VERSION_KEY, value: '1', updated_at: at });
      return out;
    });
  }

  /** One create-or-replace write: `exists` reads the current row, `save` writes (merge when it existed). */
  private async upsert(mode: PutMode, exists: (trx: Knex) => Promise<boolean>, save: (trx: Knex, merge: boolean) => Promise<void>): Promise<PutOutcome> {
    try {
      return await this.write(async (trx) => {
        const existed = await exists(trx);
        if (existed && mode === 'create') throw new Taken();
        await save(trx, existed);
        return existed ? 'replaced' : 'created';
      });
    } catch (e) {
      if (isTaken(e)) return 'exists';
      throw e;
    }
  }

  private async flowId(trx: Knex, name: string): Promise<number | null> {
    const row = (await trx('flows').select('id').where({ name }).first()) as Row | undefined;
    return row ? Number(row.id) : null;
  }

  private async upsertFlowRow(trx: Knex, name: string, f: FlowDocument, merge = true): Promise<number> {
    const at = this.now();
    const insert = trx('flows').insert({ name, description: f.description ?? null, enabled: f.enabled ?? true, defaults: toJson(f.defaults ?? {}), created_at: at, updated_at: at });
    await (merge ? insert.onConflict('name').merge(['description', 'enabled', 'defaults', 'updated_at']) : insert);
    const row = (await trx('flows').select('id').where({ name }).first()) as Row;
    return Number(row.id);
  }

  private async insertApplets(trx: Knex, flowId: number, applets: FlowDocument['applets']): Promise<void> {
    const at = this.now();
    const rows = Object.entries(applets ?? {}).map(([applet, a]) =>
      ({ flow_id: flowId, applet, kind: a.kind, rule: toJson(ruleFieldsOf(a)), created_at: at, updated_at: at }));
    await insertChunked(trx, 'applet_rules', rows);
  }

  /**
   * Creates or replaces one flow. Its applet rules are replaced when `applets` is given and kept
   * when it is left out, so changing a flow's defaults never silently drops its applet rules.
   */
  async putFlow(name: string, flow: FlowDocument, mode: PutMode = 'put'): Promise<PutOutcome> {
    return this.upsert(mode, async (trx) => (await this.flowId(trx, name)) !== null, async (trx, merge) => {
      const id = await this.upsertFlowRow(trx, name, flow, merge);
      if (flow.applets === undefined) return;
      await trx('applet_rules').where({ flow_id: id }).delete();
      await this.insertApplets(trx, id, flow.applets);
    });
  }

  /** One applet rule of an existing flow; 'no-flow' when the flow is unknown. */
  async putApplet(flow: string, applet: string, a: AppletDocument, mode: PutMode = 'put'): Promise<PutOutcome | 'no-flow'> {
    let flowId: number | null = null;
    const out = await this.upsert(mode, async (trx) => {
      flowId = await this.flowId(trx, flow);
      return flowId !== null && (await trx('applet_rules').where({ flow_id: flowId, applet }).first()) !== undefined;
    }, async (trx, merge) => {
      if (flowId === null) return;
      if (merge) await trx('applet_rules').where({ flow_id: flowId, applet }).update({ kind: a.kind, rule: toJson(ruleFieldsOf(a)), updated_at: this.now() });
      else await this.insertApplets(trx, flowId, { [applet]: a });
    });
    return flowId === null ? 'no-flow' : out;
  }

  async deleteApplet(flow: string, applet: string): Promise<boolean | 'no-flow'> {
    return this.write(async (trx) => {
      const id = await this.flowId(trx, flow);
      if (id === null) return 'no-flow';
      return (await trx('applet_rules').where({ flow_id: id, applet }).delete()) > 0;
    });
  }

  async setFlowEnabled(name: string, enabled: boolean): Promise<boolean> {
    return this.write(async (trx) => (await trx('flows').where({ name }).update({ enabled, updated_at: this.now() })) > 0);
  }

  async deleteFlow(name: string): Promise<boolean> {
    return this.write(async (trx) => {
      const row = (await trx('flows').select('id').where({ name }).first()) as Row | undefined;
      if (!row) return false;
      await trx('applet_rules').where({ flow_id: row.id }).delete();   // SQLite may run without FK cascade
      await trx('flows').where({ id: row.id }).delete();
      return true;
    });
  }

  async putCampaign(name: string, c: CampaignDocument, mode: PutMode = 'put'): Promise<PutOutcome> {
    return this.upsert(mode, async (trx) => (await trx('campaigns').where({ name }).first()) !== undefined, async (trx, merge) => {
      const at = this.now();
      const insert = trx('campaigns').insert({ name, enabled: c.enabled ?? true, rule: toJson(ruleFieldsOf(c)), created_at: at, updated_at: at });
      await (merge ? insert.onConflict('name').merge(['enabled', 'rule', 'updated_at']) : insert);
    });
  }

  async deleteCampaign(name: string): Promise<boolean> {
    return this.write(async (trx) => (await trx('campaigns').where({ name }).delete()) > 0);
  }

  /** Replaces the account settings the patch names; the others stay as they are. */
  async setAccount(patch: AccountPatch): Promise<void> {
    await this.write((trx) => this.writeAccount(trx, patch));
  }

  private async writeAccount(trx: Knex, patch: AccountPatch): Promise<void> {
    const at = this.now();
    for (const [field, key] of Object.entries(ACCOUNT_KEYS) as Array<[keyof AccountPatch, string]>) {
      const value = patch[field];
      if (value === undefined) continue;
      await trx('settings').insert({ key, value: toJson(value), updated_at: at }).onConflict('key').merge(['value', 'updated_at']);
    }
  }

  async putJurisdiction(j: Jurisdiction, mode: PutMode = 'put'): Promise<PutOutcome> {
    return this.upsert(mode, async (trx) => (await trx('jurisdictions').where({ code: j.code }).first()) !== undefined, async (trx, merge) => {
      const insert = trx('jurisdictions').insert({ code: j.code, name: j.name, all_party_consent: j.allPartyConsent, min_consent: j.minConsent, updated_at: this.now() });
      await (merge ? insert.onConflict('code').merge(['name', 'all_party_consent', 'min_consent', 'updated_at']) : insert);
    });
  }

  async deleteJurisdiction(code: string): Promise<boolean> {
    return this.write(async (trx) => (await trx('jurisdictions').where({ code }).delete()) > 0);
  }

  async putAreaCode(npa: string, jurisdiction: string, mode: PutMode = 'put'): Promise<PutOutcome> {
    return this.upsert(mode, async (trx) => (await trx('area_codes').where({ npa }).first()) !== undefined, async (trx, merge) => {
      const insert = trx('area_codes').insert({ npa, jurisdiction, updated_at: this.now() });
      await (merge ? insert.onConflict('npa').merge(['jurisdiction', 'updated_at']) : insert);
    });
  }

  async deleteAreaCode(npa: string): Promise<boolean> {
    return this.write(async (trx) => (await trx('area_codes').where({ npa }).delete()) > 0);
  }

  /** flows import: replaces every flow and campaign (and the account settings given), all or nothing. */
  /** `onFlow`: called after each flow is written (a progress display; thousands of flows take seconds). */
  async importDocument(doc: RulesDocument, onFlow?: (done: number, total: number) => void): Promise<{ flows: number; applets: number; campaigns: number }> {
    return this.write(async (trx) => {
      await trx('applet_rules').delete();
      await trx('flows').delete();
      await trx('campaigns').delete();
      let applets = 0;
      const flows = Object.entries(doc.flows ?? {});
      for (const [i, [name, flow]] of flows.entries()) {
        await this.insertApplets(trx, await this.upsertFlowRow(trx, name, flow), flow.applets);
        applets += Object.keys(flow.applets ?? {}).length;
        onFlow?.(i + 1, flows.length);
      }
      const at = this.now();
      const campaigns = Object.entries(doc.campaigns ?? {}).map(([name, c]) =>
        ({ name, enabled: c.enabled ?? true, rule: toJson(ruleFieldsOf(c)), created_at: at, updated_at: at }));
      await insertChunked(trx, 'campaigns', campaigns);
      if (doc.account) await this.writeAccount(trx, doc.account);
      return { flows: Object.keys(doc.flows ?? {}).length, applets, campaigns: campaigns.length };
    });
  }
}

// Plain inserts on the transaction itself (knex's batchInsert manages its own transaction);
// chunks stay under SQLite's bound-parameter limit.
async function insertChunked(knex: Knex, table: string, rows: Row[], size = 100): Promise<void> {
  for (let i = 0; i < rows.length; i += size) await knex(table).insert(rows.slice(i, i + size));
}

function accountFrom(settings: Row[]): AccountSettings {
  const get = <T>(key: string): T | null => {
    const row = settings.find((r) => r.key === key);
    return row ? fromJson<T>(row.value) : null;
  };
  return {
    inboundDefault: completeRule(get<RuleFields>(ACCOUNT_KEYS.inbound) ?? undefined, DEFAULT_ACCOUNT.inboundDefault),
    outbound: completeRule(get<RuleFields>(ACCOUNT_KEYS.outbound) ?? undefined, DEFAULT_ACCOUNT.outbound),
    internal: completeRule(get<RuleFields>(ACCOUNT_KEYS.internal) ?? undefined, DEFAULT_ACCOUNT.internal),
    languages: get<string[]>(ACCOUNT_KEYS.languages) ?? DEFAULT_ACCOUNT.languages,
  };
}

function flowsFrom(flows: Row[], applets: Row[]): Map<string, FlowRules> {
  const byId = new Map<number, FlowRules>();
  for (const r of flows) {
    byId.set(Number(r.id), {
      name: String(r.name), description: r.description === null || r.description === undefined ? null : String(r.description),
      enabled: toBool(r.enabled), defaults: fromJson<RuleFields>(r.defaults) ?? {}, applets: new Map(),
    });
  }
  for (const r of applets) {
    const a: AppletRule = { applet: String(r.applet), kind: String(r.kind), rule: fromJson<RuleFields>(r.rule) ?? {} };
    byId.get(Number(r.flow_id))?.applets.set(a.applet, a);
  }
  return new Map([...byId.values()].map((f) => [f.name, f]));
}

function jurisdictionFrom(r: Row): Jurisdiction {
  return { code: String(r.code), name: String(r.name), allPartyConsent: toBool(r.all_party_consent), minConsent: String(r.min_consent) as ConsentMode };
}
