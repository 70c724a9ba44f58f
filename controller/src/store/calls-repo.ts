import type { Knex } from 'knex';
import type { CallRecord } from '../domain/records';
import { findById, insertStamped, requireById, updateStamped } from './by-id';
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
    return insertStamped(this.knex, 'calls', toColumns(call, JSON_FIELDS), this.now());
  }

  async get(id: number): Promise<CallRecord | null> {
    return findById(this.knex, 'calls', id, callFromRow);
  }

  async getOrThrow(id: number): Promise<CallRecord> {
    return requireById(this.knex, 'calls', id, callFromRow, 'call');
  }

  async findByPbxId(node: string, pbxCallId: string): Promise<CallRecord | null> {
    const row = (await this.knex('calls').where({ node, pbx_call_id: pbxCallId }).first()) as Row | undefined;
    return row ? callFromRow(row) : null;
  }

  async update(id: number, patch: CallPatch): Promise<void> {
    await updateStamped(this.knex, 'calls', id, toColumns(patch, JSON_FIELDS), this.now());
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
