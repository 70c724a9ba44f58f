import type { CallRecord } from '../domain/records';
import { StampedRepo } from './repo';
import { rowMapper, type Row } from './rows';

export type NewCall = Omit<
  CallRecord,
  'id' | 'createdAt' | 'updatedAt' | 'answeredAt' | 'endedAt' | 'hangupCause' | 'consentOutcome' | 'fallbackReason'
> &
  Partial<Pick<CallRecord, 'answeredAt' | 'endedAt' | 'hangupCause' | 'consentOutcome' | 'fallbackReason'>>;
export type CallPatch = Partial<Omit<CallRecord, 'id' | 'createdAt' | 'node' | 'pbx' | 'pbxCallId'>>;

const JSON_FIELDS = ['decision'] as const;

export const callFromRow = rowMapper<CallRecord>({
  int: ['id'],
  json: ['decision'],
  date: ['answeredAt', 'endedAt'],
  dateReq: ['startedAt', 'createdAt', 'updatedAt'],
});

export class CallsRepo extends StampedRepo<CallRecord, NewCall, CallPatch> {
  protected readonly table = 'calls';
  protected readonly noun = 'call';
  protected override readonly jsonFields = JSON_FIELDS;
  protected fromRow(row: Row): CallRecord {
    return callFromRow(row);
  }

  async findByPbxId(node: string, pbxCallId: string): Promise<CallRecord | null> {
    const row = (await this.knex('calls').where({ node, pbx_call_id: pbxCallId }).first()) as Row | undefined;
    return row ? callFromRow(row) : null;
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
