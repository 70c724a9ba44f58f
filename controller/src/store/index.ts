// The store: one repository per aggregate, all over the same knex (or one transaction).
import type { Knex } from 'knex';
import { AtRestRepo } from './at-rest-repo';
import { CallsRepo } from './calls-repo';
import { EventsRepo } from './events-repo';
import { HoldsRepo } from './holds-repo';
import { ComplianceRepo } from './compliance-repo';
import { KeysRepo } from './keys-repo';
import { RecordingsRepo } from './recordings-repo';
import { RulesChanges, RulesRepo } from './rules-repo';
import { ReportsRepo } from './reports-repo';
import { SearchRepo } from './search-repo';
import { WebhooksRepo } from './webhooks-repo';

import { RetentionRepo } from './retention-repo';
import { RetentionRunsRepo } from './retention-runs-repo';
import type { Db, Dialect } from './db';

export interface Store {
  readonly knex: Knex;
  readonly dialect: Dialect;
  readonly calls: CallsRepo;
  readonly recordings: RecordingsRepo;
  readonly events: EventsRepo;
  readonly rules: RulesRepo;
  readonly keys: KeysRepo;
  readonly search: SearchRepo;
  readonly webhooks: WebhooksRepo;
  readonly reports: ReportsRepo;
  readonly holds: HoldsRepo;
  readonly compliance: ComplianceRepo;

  readonly retention: RetentionRepo;
  readonly retentionRuns: RetentionRunsRepo;
  readonly atRest: AtRestRepo;
  /** Runs fn with repositories bound to one transaction: all of it is written, or none. */
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T>;
  /** Cheap round trip used by readiness and doctor. */
  ping(): Promise<void>;
}

export function createStore(db: Pick<Db, 'knex' | 'dialect'>, now: () => Date = () => new Date()): Store {
  const rulesChanges = new RulesChanges();
  const bind = (knex: Knex): Store => ({
    knex,
    dialect: db.dialect,
    calls: new CallsRepo(knex, now),
    recordings: new RecordingsRepo(knex, now),
    events: new EventsRepo(knex, now),
    rules: new RulesRepo(knex, now, rulesChanges),
    keys: new KeysRepo(knex, now),
    search: new SearchRepo(knex, db.dialect),
    webhooks: new WebhooksRepo(knex, now),
    reports: new ReportsRepo(knex, db.dialect),
    holds: new HoldsRepo(knex, db.dialect, now),
    compliance: new ComplianceRepo(knex, db.dialect),

    retention: new RetentionRepo(knex, db.dialect, now),
    retentionRuns: new RetentionRunsRepo(knex, db.dialect, now),
    atRest: new AtRestRepo(knex, now),
    transaction: <T>(fn: (tx: Store) => Promise<T>) => knex.transaction((trx) => fn(bind(trx))),
    ping: async () => {
      await knex.raw('select 1');
    },
  });
  return bind(db.knex);
}

export { openDb, type Db, type Dialect } from './db';
export { migrateLatest, migrateDownAll, migrationStatus } from './migrate';
