import type { Knex } from 'knex';
import type { CallRecord } from '../domain/records';
import { fromColumns, fromJson, toColumns, toDate, toDateReq, type Row } from './rows';

export type NewCall = Omit<
  CallRecord,
  'id' | 'createdAt' | 'updatedAt' | 'answeredAt' | 'endedAt' | 'hangupCause' | 'consentOutcome' | 'fallbackReason'
> &
  Partial<Pick<CallRecord, 'answeredAt' | 'endedAt' | 'hangupCause' | 'consentOutcome' | 'fallbackReason'>>;
export type CallPatch = Partial<Omit<CallRecord, 'id' | 'createdAt' | 'node' | 'pbx' | 'pbxCallId'>>;

const JSON_FIELDS = ['decision'] as const;

export function callFromRow(row: Row): CallRecord {
  const r = fromColumns(row);
  return {
    ...(r as unknown as CallRecord),
    id: Number(r.id),
    decision: fromJson(r.decision),
    startedAt: toDateReq(r.startedAt),
    answeredAt: toDate(r.answeredAt),
    endedAt: toDate(r.endedAt),
    createdAt: toDateReq(r.createdAt),
    updatedAt: toDateReq(r.updatedAt),
  };
}

export class CallsRepo {
  constructor(
    private readonly knex: Knex,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async insert(call: NewCall): Promise<CallRecord> {
    return this.getOrThrow(await this.insertId(call));
  }

  /** The gate's insert: no read-back, it runs before the caller may go on. */
  async insertId(call: NewCall): Promise<number> {
    const at = this.now();
    const [id] = await this.knex('calls').insert({ ...toColumns(call, JSON_FIELDS), created_at: at, updated_at: at });
    return Number(id);
  }

  async get(id: number): Promise<CallRecord | null> {
    const row = (await this.knex('calls').where({ id }).first()) as Row | undefined;
    return row ? callFromRow(row) : null;
  }

  async getOrThrow(id: number): Promise<CallRecord> {
    const c = await this.get(id);
    if (!c) throw new Error(`call ${id} not found`);
    return c;
  }

  async findByPbxId(node: string, pbxCallId: string): Promise<CallRecord | null> {
    const row = (await this.knex('calls').where({ node, pbx_call_id: pbxCallId }).first()) as Row | undefined;
    return row ? callFromRow(row) : null;
  }

  async update(id: number, patch: CallPatch): Promise<void> {
    await this.knex('calls')
      .where({ id })
      .update({ ...toColumns(patch, JSON_FIELDS), updated_at: this.now() });
  }

  /** Calls this node still considers live (not yet done / not_recorded / failed). */
  async listLive(node: string): Promise<CallRecord[]> {
    const rows = (await this.knex('calls')
      .where({ node })
      .whereIn('state', ['gating', 'consent', 'recording', 'paused', 'finalizing'])
      .orderBy('started_at', 'asc')) as Row[];
    return rows.map(callFromRow);
  }
}
