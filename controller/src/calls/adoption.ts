// After a (re)connect: take over recordings the controller does not track (it restarted mid-call),
// and settle calls the store thinks are live but the PBX no longer has.
import { CallSession } from '../domain/call-session';
import type { PbxEvent } from '../domain/pbx-events';
import type { CallRecord, RecordingRecord, SettledState } from '../domain/records';
import type { RecordingView } from '../domain/session-types';
import { adoptedRecording } from '../domain/session-call';
import type { PbxPort } from '../pbx/port';
import type { Store } from '../store';
import type { Logger } from '../util/logger';
import { relativeToRoot } from './paths';
import { closedRow, type RecordingSettler } from './settle';
import { factsFromCall, isLiveRecording, persistSession, storedDecision, viewFromRecording } from './store-sync';
import { newTracked, type CallTracker, type RegistrySettings, type SyncContext, type TrackedCall } from './types';

export interface AdoptionDeps {
  store: Store;
  sync: SyncContext;
  settings: RegistrySettings;
  logger: Logger;
  port: PbxPort;
  settler: RecordingSettler;
  calls: CallTracker;
}

type Found = Extract<PbxEvent, { type: 'RecordingFound' }>;

const LOST_IN_GATE = 'the controller was lost while the call was in the gate; the dialplan applied its fallback';

/**
 * Takes over a recording found at reconnect. The session is tracked before anything is written,
 * with its first write queued ahead of the call's events, so a hangup meanwhile is not lost.
 */
export async function adoptRecording(d: AdoptionDeps, ev: Found): Promise<void> {
  const stored =
    ev.storedCallId !== null
      ? await d.store.calls.get(ev.storedCallId)
      : await d.store.calls.findByPbxId(d.sync.node, ev.callId);
  let t: TrackedCall;
  let write = true;
  if (stored && stored.node === d.sync.node) {
    const rec = await liveRecordingOf(d, stored.id);
    const facts = factsFromCall(stored);
    const decision = storedDecision(stored.decision);
    if (rec) {
      const view = viewFromRecording(rec, ev.file, d.settings.pbxRecordingsDir);
      view.recorderId = ev.recorderId;
      const session = CallSession.adopt(ev.callId, facts, d.settings.session, view, decision, stored.fallbackReason);
      t = {
        pbxCallId: ev.callId,
        session,
        callRowId: stored.id,
        recRowId: rec.id,
        decision: null,
        startedAt: stored.startedAt,
        trackedAt: performance.now(),
      };
      write = false;
    } else {
      // Stored in the gate, then the controller went: the dialplan's fallback is what records.
      const session = CallSession.adopt(
        ev.callId,
        facts,
        d.settings.session,
        foundView(d, ev),
        decision,
        stored.fallbackReason ?? LOST_IN_GATE,
      );
      t = {
        pbxCallId: ev.callId,
        session,
        callRowId: stored.id,
        recRowId: null,
        decision: null,
        startedAt: stored.startedAt,
        trackedAt: performance.now(),
      };
    }
  } else {
    const facts = {
      flow: '',
      applet: '',
      direction: 'inbound' as const,
      from: null,
      to: null,
      campaign: null,
      agent: null,
      language: null,
      answered: true,
    };
    const session = CallSession.adopt(ev.callId, facts, d.settings.session, foundView(d, ev), null);
    t = newTracked(ev.callId, session, ev.at);
  }
  d.calls.track(t, async (tracked) => {
    if (write) await persistSession(d.sync, tracked, true, true);
    d.logger.info('adopted a recording found at reconnect', {
      callId: ev.callId,
      file: ev.file,
      storedCallId: tracked.callRowId,
    });
    await watch(d, tracked);
  });
}

function foundView(d: AdoptionDeps, ev: Found): RecordingView {
  const file = { relPath: relativeToRoot(ev.file, d.settings.pbxRecordingsDir), pbxPath: ev.file };
  return adoptedRecording(ev.file, ev.recorderId, ev.at, file);
}

/** Follow the call's events; a call that ended before we could is settled now. */
async function watch(d: AdoptionDeps, t: TrackedCall): Promise<void> {
  const callId = t.pbxCallId;
  const w = await d.port.execute({ type: 'Watch', callId });
  if (w.ok) return;
  if (w.error.kind === 'not-found') return d.calls.deliver(callId, { type: 'CallGone', callId, at: new Date() });
  d.logger.warn(`could not subscribe to an adopted call: ${w.error.detail}`, { callId });
}

/**
 * A call the store has as live, that the PBX lists, that nobody tracks and whose recorder was not
 * reported: its controller went while it was in the gate, or the PBX's list was stale (FreeSWITCH's
 * `show channels` reads a database the core updates a moment later). Follow it: Watch says whether
 * it is still there; its hangup settles it, from the file when it had a recording.
 */
export async function followUntracked(d: AdoptionDeps, c: CallRecord): Promise<void> {
  const rec = await liveRecordingOf(d, c.id);
  const facts = factsFromCall(c);
  const decision = storedDecision(c.decision);
  const session = rec
    ? CallSession.adopt(
        c.pbxCallId,
        facts,
        d.settings.session,
        viewFromRecording(rec, null, d.settings.pbxRecordingsDir),
        decision,
        c.fallbackReason,
      )
    : CallSession.lost(c.pbxCallId, facts, d.settings.session, { decision, reason: c.fallbackReason ?? LOST_IN_GATE });
  const t: TrackedCall = {
    pbxCallId: c.pbxCallId,
    session,
    callRowId: c.id,
    recRowId: rec?.id ?? null,
    decision: null,
    startedAt: c.startedAt,
    trackedAt: performance.now(),
  };
  // Tracked at once, the write queued first: its hangup or the fallback's recording may come any moment.
  d.calls.track(t, async (tracked) => {
    if (!rec) await persistSession(d.sync, tracked, true, false);
    d.logger.info(
      rec
        ? 'following a recorded call the PBX did not report as recording'
        : 'following a call its controller left in the gate',
      { callId: c.pbxCallId },
    );
    await watch(d, tracked);
  });
}

/** The call's latest recording that is not settled yet. */
async function liveRecordingOf(d: AdoptionDeps, callId: number): Promise<RecordingRecord | undefined> {
  const recs = (await d.store.recordings.forCall(callId)).filter((r) => isLiveRecording(r.state));
  return recs[recs.length - 1];
}

/**
 * Calls the store still has as live but the PBX no longer has: they ended while the controller
 * was away. Tracked ones get CallGone; untracked ones are settled here from their files.
 */
export async function reconcileAfterReconnect(d: AdoptionDeps, liveIds: string[], askedAt: number): Promise<void> {
  const live = new Set(liveIds);
  const tracked = d.calls.tracked;
  for (const t of [...tracked.values()]) {
    // A call that entered while the list was on its way is alive though not on it: its own events end it.
    if (!live.has(t.pbxCallId) && t.trackedAt < askedAt)
      d.calls.deliver(t.pbxCallId, { type: 'CallGone', callId: t.pbxCallId, at: new Date() });
  }
  for (const c of await d.store.calls.listLive(d.sync.node)) {
    if (tracked.has(c.pbxCallId)) continue;
    if (live.has(c.pbxCallId)) {
      await followUntracked(d, c);
      continue;
    }
    let state: 'done' | 'failed' | 'not_recorded' = 'not_recorded';
    const settledNow: Array<[number, SettledState]> = [];
    for (const r of await d.store.recordings.forCall(c.id)) {
      if (!isLiveRecording(r.state)) continue;
      const s = await d.settler.settle(r.id, closedRow(r));
      if (!s.outcome.ok) state = 'failed';
      else if (state !== 'failed') state = 'done';
      if (s.moved) settledNow.push([r.id, s.to]);
    }
    await d.store.calls.update(c.id, { state, endedAt: c.endedAt ?? new Date() });
    for (const [id, to] of settledNow) await d.settler.announce(id, to);
    d.logger.info(`call settled after reconnect: ${state.replace('_', ' ')}`, { callId: c.pbxCallId });
  }
}
