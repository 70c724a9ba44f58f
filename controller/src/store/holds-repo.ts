// Litigation holds by case: many recordings held under one case, or a whole case released, in one
// transaction with one audit event per recording, so a case is never left half held or half released.
import type { Knex } from 'knex';
import type { RecordingState } from '../domain/records';
import type { Dialect } from './db';
import { toBool, toDate, toJson, type Row } from './rows';
import { applyFilter, whereExactly, type RecordingFilter } from './search-repo';

/** Which recordings a bulk hold takes: these ids, or every result of a search. */
export type HoldSelection = { ids: readonly number[] } | { filter: RecordingFilter };

export interface CaseHold {
  case: string;
  held: number;
  /** Already held under this case: left as they were. */
  alreadyInCase: number;
  /** Held for something else, or purged: not taken into this case. */
  skipped: Array<{ id: number; why: 'held-elsewhere' | 'purged' }>;
}

export interface CaseSummary {
  case: string;
  recordings: number;
  firstHeldAt: Date | null;
  lastHeldAt: Date | null;
}

/** Refusals the API turns into 404/409; thrown inside the transaction so nothing is written. */
export class HoldRefused extends Error {
  constructor(
    readonly kind: 'not-found' | 'conflict' | 'too-many',
    message: string,
  ) {
    super(message);
  }
}

const HOLDABLE: readonly RecordingState[] = ['pending', 'recording', 'paused', 'finalizing', 'completed', 'failed'];
const BATCH = 500;

const chunks = <T>(all: readonly T[]): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < all.length; i += BATCH) out.push(all.slice(i, i + BATCH));
  return out;
};

/** One batch's update and its audit rows; a row that moved meanwhile aborts the whole transaction. */
async function changeBatch(
  trx: Knex.Transaction,
  batch: readonly Row[],
  caseRef: string,
  ev: { type: string; actor: string; at: Date; detail: (r: Row) => Record<string, unknown> },
  update: (ids: number[]) => Promise<number>,
): Promise<void> {
  const ids = batch.map((r) => Number(r.id));
  if (Number(await update(ids)) !== ids.length)
    throw new HoldRefused('conflict', `recordings changed while case ${caseRef} was being ${ev.type}: try again`);
  await trx('recording_events').insert(
    batch.map((r) => ({
      call_id: r.call_id,
      recording_id: r.id,
      type: ev.type,
      actor: ev.actor,
      detail: toJson(ev.detail(r)),
      at: ev.at,
    })),
  );
}

export class HoldsRepo {
  constructor(
    private readonly knex: Knex,
    private readonly dialect: Dialect,
    private readonly now: () => Date = () => new Date(),
    /** More than this in one action is refused: narrow the search, or hold in parts. */
    private readonly maxPerAction = 50_000,
  ) {}

  async holdCase(caseRef: string, sel: HoldSelection, hold: { reason: string; actor: string }): Promise<CaseHold> {
    return this.knex.transaction(async (trx) => {
      const rows = await this.selected(trx, sel);
      const out: CaseHold = { case: caseRef, held: 0, alreadyInCase: 0, skipped: [] };
      const take: Row[] = [];
      for (const r of rows) {
        const state = String(r.state) as RecordingState;
        if (!HOLDABLE.includes(state)) out.skipped.push({ id: Number(r.id), why: 'purged' });
        else if (r.on_hold && r.hold_case === caseRef) out.alreadyInCase += 1;
        else if (r.on_hold) out.skipped.push({ id: Number(r.id), why: 'held-elsewhere' });
        else take.push(r);
      }
      const at = this.now();
      const ev = { type: 'held', actor: hold.actor, at, detail: () => ({ reason: hold.reason, case: caseRef }) };
      for (const batch of chunks(take)) {
        await changeBatch(trx, batch, caseRef, ev, (ids) =>
          trx('recordings')
            .whereIn('id', ids)
            .where({ on_hold: false })
            .whereIn('state', [...HOLDABLE])
            .update({
              on_hold: true,
              hold_case: caseRef,
              hold_reason: hold.reason,
              hold_by: hold.actor,
              hold_at: at,
              updated_at: at,
            }),
        );
        out.held += batch.length;
      }
      return out;
    });
  }

  /** Releases every recording held under the case; refused (nothing written) if it holds none. */
  async releaseCase(caseRef: string, release: { reason: string; actor: string }): Promise<number> {
    return this.knex.transaction(async (trx) => {
      const q = trx('recordings').select('id', 'call_id', 'hold_reason', 'hold_by').where({ on_hold: true });
      const rows = (await whereExactly(q, 'hold_case', caseRef, this.dialect).orderBy('id')) as Row[];
      if (rows.length === 0) throw new HoldRefused('not-found', `no recording is held under case ${caseRef}`);
      const at = this.now();
      const ev = {
        type: 'released',
        actor: release.actor,
        at,
        detail: (r: Row) => ({ reason: release.reason, case: caseRef, heldReason: r.hold_reason, heldBy: r.hold_by }),
      };
      const cleared = {
        on_hold: false,
        hold_case: null,
        hold_reason: null,
        hold_by: null,
        hold_at: null,
        updated_at: at,
      };
      for (const batch of chunks(rows))
        await changeBatch(trx, batch, caseRef, ev, (ids) =>
          whereExactly(
            trx('recordings').whereIn('id', ids).where({ on_hold: true }),
            'hold_case',
            caseRef,
            this.dialect,
          ).update(cleared),
        );
      return rows.length;
    });
  }

  /** Every case with recordings on hold, the most recently held first. */
  async cases(): Promise<CaseSummary[]> {
    const rows = (await this.knex('recordings')
      .select('hold_case')
      .count({ n: '*' })
      .min({ first: 'hold_at' })
      .max({ last: 'hold_at' })
      .where({ on_hold: true })
      .whereNotNull('hold_case')
      .groupBy('hold_case')
      .orderBy('last', 'desc')) as Row[];
    return rows.map((r) => ({
      case: String(r.hold_case),
      recordings: Number(r.n),
      firstHeldAt: toDate(r.first),
      lastHeldAt: toDate(r.last),
    }));
  }

  private async selected(trx: Knex.Transaction, sel: HoldSelection): Promise<Row[]> {
    const q = trx('recordings').select('id', 'call_id', 'state', 'on_hold', 'hold_case');
    if ('ids' in sel) {
      if (sel.ids.length > this.maxPerAction)
        throw new HoldRefused('too-many', `at most ${this.maxPerAction} recordings per action`);
      const rows: Row[] = [];
      for (const ids of chunks([...new Set(sel.ids)])) rows.push(...((await q.clone().whereIn('id', ids)) as Row[]));
      const found = new Set(rows.map((r) => Number(r.id)));
      const missing = sel.ids.filter((id) => !found.has(id));
      if (missing.length > 0)
        throw new HoldRefused(
          'not-found',
          `no such recording: ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', …' : ''}`,
        );
      return rows.map((r) => ({ ...r, on_hold: toBool(r.on_hold) }));
    }
    // The same rows the search lists: started, the filters, and the number as caller or callee.
    const numbers = sel.filter.numbers ?? [];
    void q.whereNotNull('started_at');
    if (numbers.length > 0) void q.where((w) => w.whereIn('from_number', numbers).orWhereIn('to_number', numbers));
    const rows = (await applyFilter(q, sel.filter, trx, this.dialect)
      .orderBy('id')
      .limit(this.maxPerAction + 1)) as Row[];
    if (rows.length > this.maxPerAction)
      throw new HoldRefused('too-many', `the search finds more than ${this.maxPerAction} recordings: narrow it`);
    return rows.map((r) => ({ ...r, on_hold: toBool(r.on_hold) }));
  }
}
