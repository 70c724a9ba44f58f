// RulesService: the rule set cached in memory, reloaded when the store says it changed. The
// store bumps a rules version in the same transaction as every rules write, so one cheap read
// per call notices a change made by this process or by another controller on the same MySQL.
import { decide } from './decide';
import type { PolicySettings, RuleSet } from './rules';
import type { CallFacts, Decision, PolicyEngine } from './types';

/** What the service needs from the store (RulesRepo implements it). */
export interface RulesSource {
  /** The current rules version: one primary-key read; grows with every rules write. */
  version(): Promise<number>;
  /** The whole rule set, consistent with the version it carries. */
  load(): Promise<RuleSet>;
}

/** The configuration fields the policy reads (structural, so policy imports no config code). */
export interface PolicyConfig {
  defaults: { country: string; language: string };
  retention: { standardDays: number; extendedYears: number };
}

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
}

export class RulesService {
  private cached: RuleSetEngine | null = null;
  private loading: Promise<RuleSetEngine> | null = null;
  private reading: Promise<number> | null = null;

  /** versionTimeoutMs: past it (or on an error) the rules already loaded decide: the database is down or slow. */
  constructor(
    private readonly source: RulesSource,
    private readonly settings: PolicySettings,
    private readonly versionTimeoutMs = 250,
  ) {}

  /**
   * The engine over the current rules. Every call reads the version (so a write committed before
   * the read is seen); calls arriving while a read is in flight share it (a burst of calls is one
   * primary-key read, not one each), and callers that find it changed share one reload.
   */
  async engine(): Promise<PolicyEngine> {
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
    this.loading ??= this.source
      .load()
      .then((rules) => (this.cached = new RuleSetEngine(rules, this.settings)))
      .finally(() => {
        this.loading = null;
      });
    const engine = await this.loading;
    // A reload that started before this caller's version read may predate it: load again.
    return engine.rules.version >= version ? engine : this.engine();
  }
}
