// The compliance report's counts, per flow and UTC month of the call: calls by consent outcome,
// recordings paused, recordings purged by reason. Read-only aggregates, one grouped query each.
import type { Knex } from 'knex';
import type { Dialect } from './db';
import { monthOf } from './reports-repo';
import type { Row } from './rows';

export interface ComplianceCount {
  month: string;
  flow: string | null;
  /** The consent outcome, the purge reason; null for the paused count. */
  key: string | null;
  count: number;
}

export interface ComplianceCounts {
  consent: ComplianceCount[];
  paused: ComplianceCount[];
  purged: ComplianceCount[];
}

type Range = { from?: Date; to?: Date };

export class ComplianceRepo {
  constructor(
    private readonly knex: Knex,
    private readonly dialect: Dialect,
  ) {}

  async counts(range: Range): Promise<ComplianceCounts> {
    const [consent, paused, purged] = await Promise.all([
      this.grouped('calls', 'calls.started_at', 'calls.consent_outcome', range),
      // A recording counts as paused once, however many times it was paused.
      this.grouped('recordings', 'recordings.started_at', null, range, (q) =>
        q.where((w) =>
          w
            .where('recordings.paused_ms', '>', 0)
            .orWhereExists(
              this.knex('recording_events')
                .select(this.knex.raw('1'))
                .whereRaw('recording_events.recording_id = recordings.id')
                .where('recording_events.type', 'paused'),
            ),
        ),
      ),
      this.grouped('recordings', 'recordings.started_at', 'rt.purge_reason', range, (q) =>
        q
          .leftJoin('recording_tombstones as rt', 'rt.recording_id', 'recordings.id')
          .where('recordings.state', 'purged'),
      ),
    ]);
    return { consent, paused, purged };
  }

  private async grouped(
    table: string,
    at: string,
    key: string | null,
    range: Range,
    where: (q: Knex.QueryBuilder) => Knex.QueryBuilder = (q) => q,
  ): Promise<ComplianceCount[]> {
    const month = monthOf(this.dialect, at);
    const flow = `${table}.flow`;
    const cols = [this.knex.raw(`${month} as month`), `${flow} as flow`, ...(key ? [`${key} as k`] : [])];
    const q = where(this.knex(table).select(cols).count({ n: '*' }).whereNotNull(at));
    if (range.from) void q.where(at, '>=', range.from);
    if (range.to) void q.where(at, '<', range.to);
    const rows = (await q.groupByRaw([month, flow, ...(key ? [key] : [])].join(', '))) as Row[];
    return rows.map((r) => ({
      month: String(r.month),
      flow: r.flow === null || r.flow === undefined ? null : String(r.flow),
      key: key && r.k !== null && r.k !== undefined ? String(r.k) : null,
      count: Number(r.n),
    }));
  }
}
