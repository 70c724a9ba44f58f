// Recording rules: flows, applet rules, campaigns, account settings, jurisdictions, area codes.
// Every write runs in a transaction that also bumps settings.rules_version, which is how every
// controller's RulesService notices the change on its next call (one primary-key read).
import type { Knex } from 'knex';
import {
  ruleFieldsOf,
  type AppletDocument,
  type CampaignDocument,
  type FlowDocument,
  type RulesDocument,
  type UserDocument,
} from '../policy/document';
import type { Jurisdiction, RuleSet } from '../policy/rules';
import type { RulesSource } from '../policy/service';
import { flowIdOf, insertAppletRows, writeFlowRow } from './rules-flow-rows';
import {
  ACCOUNT_KEYS,
  accountFrom,
  campaignFrom,
  campaignRow,
  flowsFrom,
  jurisdictionFrom,
  userFrom,
  userRow,
} from './rules-rows';
import {
  insertChunked,
  versionedUpsert,
  versionedWrite,
  VERSION_KEY,
  type PutMode,
  type PutOutcome,
} from './rules-write';
import { toJson, type Row } from './rows';
import { Repo } from './repo';

export type { PutMode, PutOutcome } from './rules-write';

export type AccountPatch = NonNullable<RulesDocument['account']>;

/** This process's rules writes, for its rules service (policy/service.ts). */
export class RulesChanges {
  private readonly subs = new Set<() => void>();
  on(cb: () => void): () => void {
    this.subs.add(cb);
    return () => this.subs.delete(cb);
  }
  emit(): void {
    for (const cb of this.subs) cb();
  }
}

export class RulesRepo extends Repo implements RulesSource {
  constructor(
    knex: Knex,
    now: () => Date = () => new Date(),
    private readonly changes = new RulesChanges(),
  ) {
    super(knex, now);
  }

  onChange(cb: () => void): () => void {
    return this.changes.on(cb);
  }

  async version(): Promise<number> {
    const row = (await this.knex('settings').select('value').where({ key: VERSION_KEY }).first()) as Row | undefined;
    return row ? Number(row.value) : 0;
  }

  /** The whole rule set, read in one transaction so it matches the version it carries. */
  async load(): Promise<RuleSet> {
    return this.knex.transaction(async (trx) => {
      const version = await new RulesRepo(trx, this.now).version();
      const [settings, flows, applets, campaigns, jurisdictions, areaCodes, users] = (await Promise.all([
        trx('settings').select('key', 'value'),
        trx('flows').select(),
        trx('applet_rules').select(),
        trx('campaigns').select(),
        trx('jurisdictions').select(),
        trx('area_codes').select('npa', 'jurisdiction'),
        trx('user_modes').select(),
      ])) as Row[][];
      return {
        version,
        account: accountFrom(settings ?? []),
        flows: flowsFrom(flows ?? [], applets ?? []),
        campaigns: new Map((campaigns ?? []).map(campaignFrom).map((c) => [c.name, c])),
        jurisdictions: new Map((jurisdictions ?? []).map((r) => [String(r.code), jurisdictionFrom(r)])),
        areaCodes: new Map((areaCodes ?? []).map((r) => [String(r.npa), String(r.jurisdiction)])),
        users: new Map((users ?? []).map(userFrom).map((u) => [u.id, u])),
      };
    });
  }

  private write<T>(fn: (trx: Knex) => Promise<T>): Promise<T> {
    return versionedWrite(this.knex, this.now, fn).finally(() => this.changes.emit());
  }

  private upsert(
    mode: PutMode,
    exists: (trx: Knex) => Promise<boolean>,
    save: (trx: Knex, merge: boolean) => Promise<void>,
  ): Promise<PutOutcome> {
    return versionedUpsert(this.knex, this.now, mode, exists, save).finally(() => this.changes.emit());
  }

  /**
   * Creates or replaces one flow. Its applet rules are replaced when `applets` is given and kept
   * when it is left out, so changing a flow's defaults never silently drops its applet rules.
   */
  async putFlow(name: string, flow: FlowDocument, mode: PutMode = 'put'): Promise<PutOutcome> {
    return this.upsert(
      mode,
      async (trx) => (await flowIdOf(trx, name)) !== null,
      async (trx, merge) => {
        const id = await writeFlowRow(trx, name, flow, this.now(), merge);
        if (flow.applets === undefined) return;
        await trx('applet_rules').where({ flow_id: id }).delete();
        await insertAppletRows(trx, id, flow.applets, this.now());
      },
    );
  }

  /** One applet rule of an existing flow; 'no-flow' when the flow is unknown. */
  async putApplet(
    flow: string,
    applet: string,
    a: AppletDocument,
    mode: PutMode = 'put',
  ): Promise<PutOutcome | 'no-flow'> {
    let flowId: number | null = null;
    const out = await this.upsert(
      mode,
      async (trx) => {
        flowId = await flowIdOf(trx, flow);
        return flowId !== null && (await trx('applet_rules').where({ flow_id: flowId, applet }).first()) !== undefined;
      },
      async (trx, merge) => {
        if (flowId === null) return;
        if (merge)
          await trx('applet_rules')
            .where({ flow_id: flowId, applet })
            .update({ kind: a.kind, rule: toJson(ruleFieldsOf(a)), updated_at: this.now() });
        else await insertAppletRows(trx, flowId, { [applet]: a }, this.now());
      },
    );
    return flowId === null ? 'no-flow' : out;
  }

  async deleteApplet(flow: string, applet: string): Promise<boolean | 'no-flow'> {
    return this.write(async (trx) => {
      const id = await flowIdOf(trx, flow);
      if (id === null) return 'no-flow';
      return (await trx('applet_rules').where({ flow_id: id, applet }).delete()) > 0;
    });
  }

  async setFlowEnabled(name: string, enabled: boolean): Promise<boolean> {
    return this.write(
      async (trx) => (await trx('flows').where({ name }).update({ enabled, updated_at: this.now() })) > 0,
    );
  }

  async deleteFlow(name: string): Promise<boolean> {
    return this.write(async (trx) => {
      const id = await flowIdOf(trx, name);
      if (id === null) return false;
      await trx('applet_rules').where({ flow_id: id }).delete(); // SQLite may run without FK cascade
      await trx('flows').where({ id }).delete();
      return true;
    });
  }

  async putCampaign(name: string, c: CampaignDocument, mode: PutMode = 'put'): Promise<PutOutcome> {
    return this.upsert(
      mode,
      async (trx) => (await trx('campaigns').where({ name }).first()) !== undefined,
      async (trx, merge) => {
        const insert = trx('campaigns').insert(campaignRow(name, c, this.now()));
        await (merge ? insert.onConflict('name').merge(['enabled', 'rule', 'updated_at']) : insert);
      },
    );
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
      await trx('settings')
        .insert({ key, value: toJson(value), updated_at: at })
        .onConflict('key')
        .merge(['value', 'updated_at']);
    }
  }

  async putJurisdiction(j: Jurisdiction, mode: PutMode = 'put'): Promise<PutOutcome> {
    return this.upsert(
      mode,
      async (trx) => (await trx('jurisdictions').where({ code: j.code }).first()) !== undefined,
      async (trx, merge) => {
        const insert = trx('jurisdictions').insert({
          code: j.code,
          name: j.name,
          all_party_consent: j.allPartyConsent,
          min_consent: j.minConsent,
          updated_at: this.now(),
        });
        await (merge
          ? insert.onConflict('code').merge(['name', 'all_party_consent', 'min_consent', 'updated_at'])
          : insert);
      },
    );
  }

  async deleteJurisdiction(code: string): Promise<boolean> {
    return this.write(async (trx) => (await trx('jurisdictions').where({ code }).delete()) > 0);
  }

  async putAreaCode(npa: string, jurisdiction: string, mode: PutMode = 'put'): Promise<PutOutcome> {
    return this.upsert(
      mode,
      async (trx) => (await trx('area_codes').where({ npa }).first()) !== undefined,
      async (trx, merge) => {
        const insert = trx('area_codes').insert({ npa, jurisdiction, updated_at: this.now() });
        await (merge ? insert.onConflict('npa').merge(['jurisdiction', 'updated_at']) : insert);
      },
    );
  }

  async deleteAreaCode(npa: string): Promise<boolean> {
    return this.write(async (trx) => (await trx('area_codes').where({ npa }).delete()) > 0);
  }

  async putUser(id: string, u: UserDocument, mode: PutMode = 'put'): Promise<PutOutcome> {
    return this.upsert(
      mode,
      async (trx) => (await trx('user_modes').where({ id }).first()) !== undefined,
      async (trx, merge) => {
        const insert = trx('user_modes').insert(userRow(id, u, this.now()));
        await (merge ? insert.onConflict('id').merge(['name', 'mode', 'pause', 'tier', 'updated_at']) : insert);
      },
    );
  }

  async deleteUser(id: string): Promise<boolean> {
    return this.write(async (trx) => (await trx('user_modes').where({ id }).delete()) > 0);
  }

  /**
   * flows import: replaces every flow and campaign, and the account settings and users when the
   * document has them (a flows.yaml without `users:` leaves the users as they are), all or nothing.
   */
  /** `onFlow`: called after each flow is written (a progress display; thousands of flows take seconds). */
  async importDocument(
    doc: RulesDocument,
    onFlow?: (done: number, total: number) => void,
  ): Promise<{ flows: number; applets: number; campaigns: number; users: number | null }> {
    return this.write(async (trx) => {
      await trx('applet_rules').delete();
      await trx('flows').delete();
      await trx('campaigns').delete();
      let applets = 0;
      const flows = Object.entries(doc.flows ?? {});
      for (const [i, [name, flow]] of flows.entries()) {
        await insertAppletRows(trx, await writeFlowRow(trx, name, flow, this.now()), flow.applets, this.now());
        applets += Object.keys(flow.applets ?? {}).length;
        onFlow?.(i + 1, flows.length);
      }
      const at = this.now();
      const campaigns = Object.entries(doc.campaigns ?? {}).map(([name, c]) => campaignRow(name, c, at));
      await insertChunked(trx, 'campaigns', campaigns);
      if (doc.account) await this.writeAccount(trx, doc.account);
      let users: number | null = null;
      if (doc.users) {
        await trx('user_modes').delete();
        const rows = Object.entries(doc.users).map(([id, u]) => userRow(id, u, at));
        await insertChunked(trx, 'user_modes', rows);
        users = rows.length;
      }
      return { flows: Object.keys(doc.flows ?? {}).length, applets, campaigns: campaigns.length, users };
    });
  }
}
