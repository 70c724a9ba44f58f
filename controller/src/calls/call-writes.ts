// A call's store writes as the registry carries them out: bounded, with the local journal behind
// them, when one is configured (durable-writes.ts); straight to the store otherwise. A write that
// fails never holds the call: it is logged and the call goes on.
import type { Logger } from '../util/logger';
import { persistDurably, timelineDurably, type DurableDeps } from './durable-writes';
import { persistSession, timelineEvent } from './store-sync';
import type { SyncContext, TimelineEntry, TrackedCall } from './types';

export class CallWrites {
  constructor(
    private readonly sync: SyncContext,
    private readonly durable: DurableDeps | null,
    private readonly logger: Logger,
  ) {}

  /** The call row and/or the recording row as the session shows them, with the timeline entries that go with them. */
  async persist(t: TrackedCall, call: boolean, recording: boolean, timeline: TimelineEntry[]): Promise<void> {
    try {
      await (this.durable
        ? persistDurably(this.durable, t, call, recording, timeline)
        : persistSession(this.sync, t, call, recording, timeline));
    } catch (x) {
      // Never hold a caller because the database is down: log loudly and go on.
      this.logger.error(`could not store the call: ${(x as Error).message}`, { callId: t.pbxCallId });
    }
  }

  /** One timeline entry on its own (a call without a row yet has none). */
  async timeline(t: TrackedCall, entry: TimelineEntry): Promise<void> {
    if (this.durable) return timelineDurably(this.durable, this.sync.store, t, entry);
    if (t.callRowId === null) return;
    try {
      await this.sync.store.events.append(timelineEvent(t.callRowId, t.recRowId, entry));
    } catch (x) {
      this.logger.error(`could not store the timeline: ${(x as Error).message}`, { callId: t.pbxCallId });
    }
  }
}
