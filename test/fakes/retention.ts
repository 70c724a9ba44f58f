// RetentionActions over the store, enough for the API tests (the real one is the retention module).
import type { RecordingRecord, Tier } from '../../controller/src/domain/records';
import type { MonthDeletion, RetentionActions, RetentionError } from '../../controller/src/retention/actions';
import type { Store } from '../../controller/src/store';
import { err, ok, type Result } from '../../controller/src/util/result';

type R = Promise<Result<RecordingRecord, RetentionError>>;

export class StoreRetention implements RetentionActions {
  constructor(private readonly store: Store) {}

  private async change(id: number, patch: Parameters<Store['recordings']['update']>[1]): R {
    const rec = await this.store.recordings.get(id);
    if (!rec) return err({ kind: 'not-found', detail: `recording ${id}` });
    await this.store.recordings.update(id, patch);
    return ok((await this.store.recordings.get(id)) as RecordingRecord);
  }

  hold(id: number, reason: string, actor: string): R { return this.change(id, { onHold: true, holdReason: reason, holdBy: actor, holdAt: new Date() }); }
  release(id: number): R { return this.change(id, { onHold: false, holdReason: null, holdBy: null, holdAt: null }); }
  setTier(id: number, tier: Tier): R { return this.change(id, { tier }); }

  async deleteEarly(id: number, reason: string, actor: string): R {
    const rec = await this.store.recordings.get(id);
    if (rec?.onHold) return err({ kind: 'on-hold', detail: `recording ${id} is on hold` });
    return this.change(id, { state: 'purged', purgedAt: new Date(), purgeReason: reason, purgedBy: actor });
  }

  async deleteMonth(month: string): Promise<Result<MonthDeletion, RetentionError>> {
    return ok({ month, purged: 0, skippedOnHold: 0, bytesFreed: 0 });
  }
}
