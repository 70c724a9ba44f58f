// retention_runs (one row per run, the counters an auditor reads), the report's forecast, and the
// "one purge at a time" lock: MySQL GET_LOCK held on a dedicated connection, a `locks` row on SQLite.
import type { Knex } from 'knex';
import type { Tier } from '../domain/records';
import type { Dialect } from './db';
import { findById } from './by-id';
import { PURGEABLE } from './retention-repo';
import { toBool, toDate, toDateReq, toStr, type Row } from './rows';

export type RunTrigger = 'cron' | 'cli' | 'disk-guard' | 'manual';
export interface RunCounters {
  scanned: number;
  purged: number;
  bytesFreed: number;
  skippedOnHold: number;
  missingFiles: number;
  errors: number;
}
export interface RetentionRun extends RunCounters {
  id: number;
  node: string;
  trigger: RunTrigger;
  dryRun: boolean;
  state: 'running' | 'finished' | 'failed';
  startedAt: Date;
  finishedAt: Date | null;
  errorDetail: string | null;
}
export interface Expiring {
  tier: Tier;
  days: number;
  count: number;
  bytes: number;
}

/** A held lock; release() is idempotent. */
export interface HeldLock {
  owner: string;
  renew(): Promise<void>;
  release(): Promise<void>;
}
/** tookOverFrom: the previous holder, whose process was gone (SQLite). */
export type LockAttempt = { ok: true; lock: HeldLock; tookOverFrom?: string } | { ok: false; holder: string };

function runFromRow(r: Row): RetentionRun {
  return {
    id: Number(r.id),
    node: String(r.node),
    trigger: String(r.trigger) as RunTrigger,
    dryRun: toBool(r.dry_run),
    state: String(r.state) as RetentionRun['state'],
    startedAt: toDateReq(r.started_at),
    finishedAt: toDate(r.finished_at),
    scanned: Number(r.scanned),
    purged: Number(r.purged),
    bytesFreed: Number(r.bytes_freed),
    skippedOnHold: Number(r.skipped_on_hold),
    missingFiles: Number(r.missing_files),
    errors: Number(r.errors),
    errorDetail: toStr(r.error_detail),
  };
}

const countersRow = (c: RunCounters) => ({
  scanned: c.scanned,
  purged: c.purged,
  bytes_freed: c.bytesFreed,
  skipped_on_hold: c.skippedOnHold,
  missing_files: c.missingFiles,
  errors: c.errors,
});

export const LOCK_NAME = 'callrec-retention';
// MySQL lock names are at most 64 characters.
const LOCK_SQL = "left(concat(?, ':', database()), 64)";

export class RetentionRunsRepo {
  constructor(
    private readonly knex: Knex,
    private readonly dialect: Dialect,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async start(node: string, trigger: RunTrigger, dryRun: boolean): Promise<number> {
    const [id] = await this.knex('retention_runs').insert({
      node,
      trigger,
      dry_run: dryRun,
      state: 'running',
      started_at: this.now(),
    });
    return Number(id);
  }

  async finish(id: number, state: 'finished' | 'failed', c: RunCounters, errorDetail: string | null): Promise<void> {
    await this.knex('retention_runs')
      .where({ id })
      .update({
        state,
        finished_at: this.now(),
        ...countersRow(c),
        error_detail: errorDetail?.slice(0, 4000) ?? null,
      });
  }

  /** The counters so far, after each batch: a run that dies still shows what it did. */
  async progress(id: number, c: RunCounters, trx?: Knex.Transaction): Promise<void> {
    await (trx ?? this.knex)('retention_runs').where({ id, state: 'running' }).update(countersRow(c));
  }

  /**
   * Runs that did not finish, since the last that did (not `byRun`): those still `running` died
   * mid-way; a failed one may have left a locked batch's tombstones behind if it lost its database.
   */
  async unfinished(byRun: number): Promise<number[]> {
    const last = this.knex('retention_runs').max('id').where({ state: 'finished', dry_run: false });
    const rows = (await this.knex('retention_runs')
      .select('id')
      .whereIn('state', ['running', 'failed'])
      .whereNot({ id: byRun })
      .where('id', '>', this.knex.raw('coalesce((?), 0)', [last]))) as Row[];
    return rows.map((r) => Number(r.id));
  }

  /** A run that could not start (lock or run row): one failed row, so the history shows the attempt. */
  async recordFailedStart(node: string, trigger: RunTrigger, dryRun: boolean, errorDetail: string): Promise<number> {
    const at = this.now();
    const [id] = await this.knex('retention_runs').insert({
      node,
      trigger,
      dry_run: dryRun,
      state: 'failed',
      started_at: at,
      finished_at: at,
      error_detail: errorDetail.slice(0, 4000),
    });
    return Number(id);
  }

  /** Runs still "running" while we hold the lock died mid-way: say so, naming who finishes them. */
  async failInterrupted(byRun: number): Promise<number> {
    return Number(
      await this.knex('retention_runs')
        .where({ state: 'running' })
        .whereNot({ id: byRun })
        .update({
          state: 'failed',
          finished_at: this.now(),
          error_detail: `interrupted; its leftovers finished by run ${byRun}`,
        }),
    );
  }

  async get(id: number): Promise<RetentionRun | null> {
    return findById(this.knex, 'retention_runs', id, runFromRow);
  }

  async recent(limit: number): Promise<RetentionRun[]> {
    return ((await this.knex('retention_runs').orderBy('id', 'desc').limit(limit)) as Row[]).map(runFromRow);
  }

  /** Unheld recordings whose retention ends within `days` (and those already overdue, days 0). */
  async expiring(asOf: Date, days: number): Promise<Expiring[]> {
    const q = this.knex('recordings')
      .select('tier')
      .count({ n: '*' })
      .sum({ b: 'size_bytes' })
      .whereIn('state', [...PURGEABLE])
      .where({ on_hold: false })
      .where('retain_until', '<=', new Date(asOf.getTime() + days * 86_400_000));
    if (days > 0) q.where('retain_until', '>', asOf);
    const rows = (await q.groupBy('tier')) as Row[];
    return rows.map((r) => ({ tier: String(r.tier) as Tier, days, count: Number(r.n), bytes: Number(r.b ?? 0) }));
  }

  async countHeld(): Promise<number> {
    const [row] = (await this.knex('recordings')
      .count({ n: '*' })
      .where({ on_hold: true })
      .whereNot({ state: 'purged' })) as Row[];
    return Number(row?.n ?? 0);
  }

  /**
   * Never waits: a second run must exit at once, not queue behind the first. On SQLite a holder
   * that `holderGone` says is dead loses the lock now, not when it expires.
   */
  async tryLock(
    owner: string,
    ttlMs: number,
    holderGone: (holder: string) => boolean = () => false,
  ): Promise<LockAttempt> {
    return this.dialect === 'mysql' ? this.tryMysqlLock(owner) : this.trySqliteLock(owner, ttlMs, holderGone);
  }

  // GET_LOCK belongs to a session: hold one pooled connection for the whole run. If the process
  // dies, the connection drops and MySQL releases the lock, so no expiry is needed.
  // The lock is named per database: GET_LOCK names are server-wide, and two callrec deployments
  // (or a test run) sharing one MySQL server in different schemas must not block each other.
  private async tryMysqlLock(owner: string): Promise<LockAttempt> {
    const client = this.knex.client as {
      acquireConnection(): Promise<unknown>;
      releaseConnection(c: unknown): Promise<unknown>;
    };
    const conn = await client.acquireConnection();
    const first = async (sql: string, b: readonly string[]): Promise<Row | undefined> =>
      ((await this.knex.raw(sql, b).connection(conn)) as [Row[]])[0][0];
    try {
      const got = await first(`select get_lock(${LOCK_SQL}, 0) as got`, [LOCK_NAME]);
      if (Number(got?.got) !== 1) {
        const who = await first(`select is_used_lock(${LOCK_SQL}) as conn`, [LOCK_NAME]);
        await client.releaseConnection(conn);
        return { ok: false, holder: `MySQL connection ${String(who?.conn ?? 'unknown')}` };
      }
    } catch (e) {
      await client.releaseConnection(conn);
      throw e;
    }
    let released = false;
    return {
      ok: true,
      lock: {
        owner,
        renew: async () => undefined,
        release: async () => {
          if (released) return;
          released = true;
          try {
            await first(`select release_lock(${LOCK_SQL}) as r`, [LOCK_NAME]);
          } finally {
            await client.releaseConnection(conn);
          }
        },
      },
    };
  }

  private async trySqliteLock(
    owner: string,
    ttlMs: number,
    holderGone: (holder: string) => boolean,
  ): Promise<LockAttempt> {
    // Each step is one atomic statement, so two runs racing here cannot both see themselves as owner.
    const at = this.now();
    await this.knex('locks').where({ name: LOCK_NAME }).where('expires_at', '<', at).delete();
    const before = (await this.knex('locks').where({ name: LOCK_NAME }).first()) as Row | undefined;
    const gone = before && holderGone(String(before.owner)) ? String(before.owner) : undefined;
    if (gone !== undefined) await this.knex('locks').where({ name: LOCK_NAME, owner: gone }).delete();
    await this.knex('locks')
      .insert({ name: LOCK_NAME, owner, acquired_at: at, expires_at: new Date(at.getTime() + ttlMs) })
      .onConflict('name')
      .ignore();
    const row = (await this.knex('locks').where({ name: LOCK_NAME }).first()) as Row | undefined;
    const taken = row && String(row.owner) !== owner ? String(row.owner) : null;
    if (taken !== null) return { ok: false, holder: taken };
    let released = false;
    return {
      ok: true,
      ...(gone !== undefined ? { tookOverFrom: gone } : {}),
      lock: {
        owner,
        renew: async () => {
          await this.knex('locks')
            .where({ name: LOCK_NAME, owner })
            .update({ expires_at: new Date(this.now().getTime() + ttlMs) });
        },
        release: async () => {
          if (released) return;
          released = true;
          await this.knex('locks').where({ name: LOCK_NAME, owner }).delete();
        },
      },
    };
  }
}
