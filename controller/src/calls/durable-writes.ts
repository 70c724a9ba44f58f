// The gate's writes with a bound: the database gets `boundMs` to commit a call's step; past that
// (or on an error) the step goes to the local journal and the call goes on. From then on the
// call's writes all go to the journal, so the database receives them in order.
import type { SettledState } from '../domain/records';
import type { Store } from '../store';
import type { RecordingPatch } from '../store/recordings-repo';
import type { Logger } from '../util/logger';
import type { JournalOp, JournalWriter } from './journal-writer';
import { LIVE_RECORDING_STATES, newCallRow, newRecordingRow, persistSession, timelineEvent } from './store-sync';
import type { SyncContext, TimelineEntry, TrackedCall } from './types';

export interface DurableDeps {
  sync: SyncContext;
  journal: JournalWriter;
  boundMs: number;
  logger: Logger;
}

type Outcome<T> = { ok: true; value: T } | { ok: false; why: string };

/** `work` on a copy of the call's ids: a write abandoned at the bound must not change them later. */
async function within<T>(d: DurableDeps, work: Promise<T>): Promise<Outcome<T>> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<Outcome<T>>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, why: `no answer within ${d.boundMs} ms` }), d.boundMs);
  });
  const r = await Promise.race([
    work.then(
      (value): Outcome<T> => ({ ok: true, value }),
      (e: unknown): Outcome<T> => ({ ok: false, why: (e as Error).message }),
    ),
    late,
  ]);
  clearTimeout(timer);
  if (!r.ok) d.journal.abandon(work);
  return r;
}

export function journalOp(
  sync: SyncContext,
  t: TrackedCall,
  timeline: TimelineEntry[],
  at: Date,
  settle: JournalOp['settle'] = null,
): JournalOp {
  const v = t.session.view();
  const rec = v.recording ? newRecordingRow(sync, t, v, v.recording, 0) : null;
  const { callId: _unused, ...recording } = rec ?? { callId: 0 };
  return {
    node: sync.node,
    pbxCallId: t.pbxCallId,
    call: newCallRow(sync, t, v),
    recording: rec ? (recording as JournalOp['recording']) : null,
    settle,
    timeline: timeline.map((tl) => {
      const e = timelineEvent(0, null, tl, at);
      return { type: e.type, actor: e.actor, detail: e.detail, at };
    }),
  };
}

function toJournal(d: DurableDeps, t: TrackedCall, why: string | null, op: JournalOp): void {
  if (!t.journaled)
    d.logger.warn(
      `database ${why ?? 'journal not yet replayed'}: the call goes on, its writes go to the local journal`,
      { callId: t.pbxCallId },
    );
  t.journaled = true;
  d.journal.append(op);
}

/** persistSession, bounded; the journal when the database does not make it. */
export async function persistDurably(
  d: DurableDeps,
  t: TrackedCall,
  call: boolean,
  recording: boolean,
  timeline: TimelineEntry[],
): Promise<void> {
  const at = new Date();
  if (!t.journaled && !d.journal.busy) {
    const shadow: TrackedCall = { ...t };
    const r = await within(d, persistSession(d.sync, shadow, call, recording, timeline, at));
    if (r.ok) {
      t.callRowId = shadow.callRowId;
      t.recRowId = shadow.recRowId;
      return;
    }
    return toJournal(d, t, r.why, journalOp(d.sync, t, timeline, at));
  }
  toJournal(d, t, null, journalOp(d.sync, t, timeline, at));
}

/** A timeline entry outside a Persist, bounded like the rest (a call without a row yet has none). */
export async function timelineDurably(d: DurableDeps, store: Store, t: TrackedCall, tl: TimelineEntry): Promise<void> {
  const at = new Date();
  if (!t.journaled) {
    if (t.callRowId === null) return;
    const r = await within(d, store.events.append(timelineEvent(t.callRowId, t.recRowId, tl, at)));
    if (r.ok) return;
    return toJournal(d, t, r.why, journalOp(d.sync, t, [tl], at));
  }
  toJournal(d, t, null, journalOp(d.sync, t, [tl], at));
}

/** The finalizer's outcome, bounded; true when the row moved now (false: not live, or journaled). */
export async function settleDurably(
  d: DurableDeps,
  store: Store,
  t: TrackedCall,
  to: SettledState,
  patch: RecordingPatch,
): Promise<boolean> {
  if (!t.journaled && t.recRowId !== null) {
    const r = await within(d, store.recordings.transition(t.recRowId, LIVE_RECORDING_STATES, to, patch));
    if (r.ok) return r.value;
    toJournal(d, t, r.why, journalOp(d.sync, t, [], new Date(), { to, patch }));
    return false;
  }
  toJournal(d, t, null, journalOp(d.sync, t, [], new Date(), { to, patch }));
  return false;
}
