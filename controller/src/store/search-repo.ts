// Recording search with keyset pagination on (started_at, id). Every filter column leads one of
// the recordings indexes (from, to, agent, flow, direction, campaign: (col, started_at, id)), so a
// page is one index range scan however deep the pagination goes.
import type { Knex } from 'knex';
import type { ConsentOutcome, Direction, RecordingRecord, RecordingState, Tier } from '../domain/records';
import { recordingFromRow, recordingRows } from './recordings-repo';
import type { Dialect } from './db';
import type { Row } from './rows';

export interface RecordingFilter {
  /** Every stored form of one number; matches the caller or the callee. */
  numbers?: string[];
  direction?: Direction;
  agent?: string;
  flow?: string;
  campaign?: string;
  /** The call's consent outcome (calls.consent_outcome). */
  consent?: ConsentOutcome;
  state?: RecordingState;
  tier?: Tier;
  /** Held under this litigation case (compared exactly). */
  case?: string;
  from?: Date;
  to?: Date;
}

export interface Cursor {
  startedAt: Date;
  id: number;
}
export interface PageRequest {
  limit: number;
  order: 'asc' | 'desc';
  after?: Cursor;
}
export interface Page {
  items: RecordingRecord[];
  next: Cursor | null;
}

/** `col = value` compared exactly: MySQL's _ci collations take ALICE and '201 ' for alice and 201. */
export function whereExactly(q: Knex.QueryBuilder, col: string, value: string, dialect: Dialect): Knex.QueryBuilder {
  void q.where(col, value);
  // The plain `=` keeps the index usable; the binary cast then drops the case-insensitive matches.
  if (dialect === 'mysql') void q.whereRaw('cast(?? as binary) = cast(? as binary)', [col, value]);
  return q;
}

/** The search's filters (all but numbers) on a recordings query; also what a bulk hold selects. */
export function applyFilter(q: Knex.QueryBuilder, f: RecordingFilter, knex: Knex, dialect: Dialect): Knex.QueryBuilder {
  const eq: Array<[string, string | undefined]> = [
    ['direction', f.direction],
    ['flow', f.flow],
    ['campaign', f.campaign],
    ['state', f.state],
    ['tier', f.tier],
  ];
  for (const [col, v] of eq) if (v !== undefined) void q.where(col, v);
  if (f.case !== undefined) whereExactly(q, 'hold_case', f.case, dialect);
  if (f.consent) void q.whereIn('call_id', knex('calls').select('id').where('consent_outcome', f.consent));
  // The call's agent, or any agent who took part (a transfer's), compared exactly.
  const agent = f.agent;
  if (agent !== undefined) {
    void q.where((w) => {
      void w
        .where((own) => {
          whereExactly(own, 'agent', agent, dialect);
        })
        .orWhereIn('id', whereExactly(knex('recording_agents').select('recording_id'), 'agent', agent, dialect));
    });
  }
  if (f.from) void q.where('started_at', '>=', f.from);
  if (f.to) void q.where('started_at', '<', f.to);
  return q;
}

export class SearchRepo {
  constructor(
    private readonly knex: Knex,
    private readonly dialect: Dialect,
  ) {}

  async search(filter: RecordingFilter, page: PageRequest): Promise<Page> {
    const numbers = filter.numbers ?? [];
    let rows: Row[];
    if (numbers.length === 0) {
      rows = (await this.pageOf(this.filtered(filter), page)) as Row[];
    } else if (this.dialect === 'mysql') {
      // Two range scans on rec_from_idx / rec_to_idx, each already ordered and limited: at most
      // 2 x (limit+1) index entries read whatever the number's frequency. bench/search.ts measures
      // the single OR too: MariaDB 10.11 planned it well there (index_merge, 0.6-2.5 ms p50 vs
      // 1.7-4 ms), but that plan is the optimizer's choice per query; this one is bounded.
      const branch = (col: string) => this.pageOf(this.filtered(filter).whereIn(col, numbers), page);
      const union = this.knex.union([branch('from_number'), branch('to_number')], true);
      rows = (await this.pageOf(this.knex.select('*').from(union.as('u')), page)) as Row[];
    } else {
      // SQLite plans this OR as two index lookups itself (its "multi-index OR").
      const q = this.filtered(filter).where((w) => w.whereIn('from_number', numbers).orWhereIn('to_number', numbers));
      rows = (await this.pageOf(q, page)) as Row[];
    }
    const items = rows.slice(0, page.limit).map(recordingFromRow);
    const last = items[items.length - 1];
    const next = rows.length > page.limit && last?.startedAt ? { startedAt: last.startedAt, id: last.id } : null;
    return { items, next };
  }

  private filtered(f: RecordingFilter): Knex.QueryBuilder {
    return applyFilter(recordingRows(this.knex).whereNotNull('started_at'), f, this.knex, this.dialect);
  }

  /** Keyset condition, order and limit (+1 row to know whether another page exists). */
  private pageOf(q: Knex.QueryBuilder, p: PageRequest): Knex.QueryBuilder {
    const cmp = p.order === 'desc' ? '<' : '>';
    const after = p.after;
    if (after) {
      void q.where((w) =>
        w
          .where('started_at', cmp, after.startedAt)
          .orWhere((x) => x.where('started_at', after.startedAt).andWhere('id', cmp, after.id)),
      );
    }
    return q
      .orderBy([
        { column: 'started_at', order: p.order },
        { column: 'id', order: p.order },
      ])
      .limit(p.limit + 1);
  }
}
