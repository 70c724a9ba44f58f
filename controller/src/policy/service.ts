// RulesService: the rule set cached in memory, reloaded when the store says it changed. The
// store bumps a rules version in the same transaction as every rules write. A write by this
// process marks the cache stale at once (the next call reads the version); writes by another
// process (the CLI, another controller on the same MySQL) are noticed by refresh(), which the
// controller runs every second. So the gate reads nothing from the database on its way: on the
// single SQLite connection that read queued behind the writes of calls ahead of it (issue 23).
import { decide } from './decide';
import type { PolicySettings, RuleSet } from './rules';
import type { CallFacts, Decision, PolicyEngine } from './types';
import type { UserRule } from './rules';
import type { PartyConsent } from '../domain/party-consent';
import { joiningParty } from './decide';

/** What the service needs from the store (RulesRepo implements it). */
export interface RulesSource {
  /** The current rules version: one primary-key read; grows with every rules write. */
  version(): Promise<number>;
  /** The whole rule set, consistent with the version it carries. */
  load(): Promise<RuleSet>;
  /** Calls back after each rules write this process makes; returns the unsubscribe. */
  onChange?(cb: () => void): () => void;
}

/** The configuration fields the policy reads (structural, so policy imports no config code). */
export interface PolicyConfig {
  defaults: { country: string; language: string };
  retention: { standardDays: number; extendedYears: number };
}

/** What `callrec explain` and "try a call" are given: every fact but pbx and direction may be left out. */
export type TriedCall = Partial<Record<'flow' | 'applet' | 'campaign' | 'from' | 'to' | 'agent' | 'language', string>>;

export function triedCallFacts(pbx: CallFacts['pbx'], direction: CallFacts['direction'], t: TriedCall): CallFacts {
  return {
    pbx,
    direction,
    flow: t.flow ?? null,
    applet: t.applet ?? null,
    campaign: t.campaign ?? null,
    from: t.from ?? null,
    to: t.to ?? null,
    agent: t.agent ?? null,
    language: t.language ?? null,
  };
}

/** "180 days" / "7 years": how long a tier keeps a recording. */
export const tierLength = (tier: Decision['tier'], t: PolicyConfig['retention']): string =>
  tier === 'extended' ? `${t.extendedYears} years` : `${t.standardDays} days`;

export function policySettings(cfg: PolicyConfig): PolicySettings {
  return {
    defaultCountry: cfg.defaults.country,
    defaultLanguage: cfg.defaults.language,
    tierLengths: { standardDays: cfg.retention.standardDays, extendedYears: cfg.retention.extendedYears },
  };
}

export class RuleSetEngine implements PolicyEngine {
  constructor(
    readonly rules: RuleSet,
    private readonly settings: PolicySettings,
  ) {}
  decide(facts: CallFacts): Decision {
    return decide(facts, this.rules, this.settings);
  }

  user(agent: string): UserRule | null {
    return this.rules.users.get(agent) ?? null;
  }

  party(number: string): PartyConsent {
    return joiningParty(number, this.rules, this.settings);
  }
}

export class RulesService {
  private cached: RuleSetEngine | null = null;
  private loading: Promise<RuleSetEngine> | null = null;
  private reading: Promise<number> | null = null;
  /** Bumped by every rules write of this process; `fresh` is the one the cache was checked at. */
  private changes = 0;
  private fresh = -1;

  /** versionTimeoutMs: past it (or on an error) the rules already loaded decide: the database is down or slow. */
  constructor(
    private readonly source: RulesSource,
    private readonly settings: PolicySettings,
    private readonly versionTimeoutMs = 250,
  ) {
    source.onChange?.(() => {
      this.changes += 1;
    });
  }

  /**
   * The engine over the current rules: the cached one, unless none is loaded yet or this process
   * wrote rules since it was checked; then the version is read (calls arriving together share the
   * read) and callers that find it changed share one reload.
   */
  async engine(): Promise<PolicyEngine> {
    if (this.cached && this.fresh === this.changes) return this.cached;
    const at = this.changes;
    const engine = await this.checked();
    if (this.fresh < at) this.fresh = at;
    return engine;
  }

  /**
   * The engine engine() would return at once, without waiting: loaded and not stale by a write of
   * this process. Null otherwise (then engine() reads the version). The gate's path asks this first.
   */
  engineNow(): PolicyEngine | null {
    return this.cached && this.fresh === this.changes ? this.cached : null;
  }

  /** Reads the version and reloads when it moved: another process's writes (the controller polls this). */
  async refresh(): Promise<void> {
    const v = await this.source.version().catch(() => null);
    if (v !== null && this.cached && v !== this.cached.rules.version) await this.reload(v);
  }

  private async checked(): Promise<RuleSetEngine> {
    this.reading ??= this.source.version().finally(() => {
      this.reading = null;
    });
    const cached = this.cached;
    let version: number;
    if (cached) {
      let timer: NodeJS.Timeout | undefined;
      const stale = new Promise<null>((resolve) => {
        timer = setTimeout(() => resolve(null), this.versionTimeoutMs);
      });
      const v = await Promise.race([this.reading.catch(() => null), stale]).finally(() => clearTimeout(timer));
      if (v === null) return cached;
      version = v;
    } else {
      version = await this.reading;
    }
    if (this.cached?.rules.version === version) return this.cached;
    return this.reload(version);
  }

  private async reload(version: number): Promise<RuleSetEngine> {
    this.loading ??= this.source
      .load()
      .then((rules) => (this.cached = new RuleSetEngine(rules, this.settings)))
      .finally(() => {
        this.loading = null;
      });
    const engine = await this.loading;
    // A reload that started before this caller's version read may predate it: load again.
    return engine.rules.version >= version ? engine : this.reload(version);
  }
}
