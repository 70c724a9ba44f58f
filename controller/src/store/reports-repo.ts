// Read-only aggregates for the reports: storage per tier and month, recordings per state.
import type { Knex } from 'knex';
import type { Tier } from '../domain/records';
import type { Dialect } from './db';
import type { Row } from './rows';

export interface UsageRow {
  month: string;
  tier: Tier;
  count: number;
  durationMs: number;
  bytes: number;
}

/** States in which a recording's file is (or is about to be) on disk. */
export const STORED_STATES = ['recording', 'paused', 'finalizing', 'completed', 'purging'] as const;

/** SQL for the UTC month ("YYYY-MM") of a timestamp column (epoch milliseconds on SQLite). */
export const monthOf = (dialect: Dialect, col: string): string =>
  dialect === 'mysql' ? `date_format(${col}, '%Y-%m')` : `strftime('%Y-%m', ${col} / 1000, 'unixepoch')`;

export class ReportsRepo {
  constructor(
    private readonly knex: Knex,
    private readonly dialect: Dialect,
  ) {}

  /** Stored recordings grouped by the UTC month they started in and by tier. */
  async storageUsage(range: { from?: Date; to?: Date } = {}): Promise<UsageRow[]> {
    const month = monthOf(this.dialect, 'started_at');
    const q = this.knex('recordings')
      .select(this.knex.raw(`${month} as month`), 'tier')
      .count({ n: '*' })
      .sum({ ms: 'duration_ms' })
      .sum({ bytes: 'size_bytes' })
      .whereIn('state', [...STORED_STATES])
      .whereNotNull('started_at')
      .groupByRaw(`${month}, tier`)
      .orderByRaw(`${month}, tier`);
    if (range.from) void q.where('started_at', '>=', range.from);
    if (range.to) void q.where('started_at', '<', range.to);
    const rows = (await q) as Row[];
    return rows.map((r) => ({
      month: String(r.month),
      tier: String(r.tier) as Tier,
      count: Number(r.n),
      durationMs: Number(r.ms ?? 0),
      bytes: Number(r.bytes ?? 0),
    }));
  }

  async countByState(): Promise<Record<string, number>> {
    const rows = (await this.knex('recordings').select('state').count({ n: '*' }).groupBy('state')) as Row[];
    return Object.fromEntries(rows.map((r) => [String(r.state), Number(r.n)]));
  }
}
