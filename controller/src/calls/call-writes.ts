// A call's store writes as the registry carries them out: bounded, with the local journal behind
// them, when one is configured (durable-writes.ts); straight to the store otherwise. A write that
// fails never holds the call: it is logged and the call goes on.
import { isPbxCommand, type Command } from '../domain/commands';
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

  /**
   * The Persist at cmds[i] with the Timeline entries right after it (one commit); `last`: the
   * index of the last command it took; `start` begins the write. `trails`: the write need not
   * hold up the PBX commands that follow (the caller starts it after them, so its work is off the
   * gate's path), because either
   * - they start a recording and let the call go on: the file is then on the PBX's disk and named
   *   in its channel, so adoption (call still up) or reconciliation (call over) gives it its rows
   *   should the controller die before this write (issue 23: the write is most of the gate's time);
   * - or they only play a prompt, which leaves nothing on the PBX: the call waits in the gate for
   *   its end, and the write is done by then (the next step of the call waits for it).
   * A call let go unrecorded leaves nothing on the PBX: its row is written first.
   */
  persistAt(
    t: TrackedCall,
    cmds: readonly Command[],
    i: number,
  ): { start: () => Promise<void>; last: number; trails: boolean } {
    const c = cmds[i];
    if (c?.type !== 'Persist') throw new Error(`command ${i} is ${c?.type ?? 'missing'}, not Persist`);
    const tl: TimelineEntry[] = [];
    let last = i;
    for (let n = cmds[last + 1]; n?.type === 'Timeline'; n = cmds[++last + 1]) tl.push(n);
    const after = cmds.slice(last + 1);
    const trails = after.some((x) => x.type === 'Continue')
      ? c.recording
      : after.some((x) => x.type === 'Play') && after.every((x) => !isPbxCommand(x) || x.type === 'Play');
    return { start: () => this.persist(t, c.call, c.recording, tl), last, trails };
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
