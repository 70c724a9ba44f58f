// A tracked call as the API and dashboard see it (LiveCall): only calls with a stored row, and
// not over, are shown; paused time counts up while the recording is paused.
import type { LiveCall } from './live';
import type { TrackedCall } from './types';

const shown = (t: TrackedCall): boolean => t.callRowId !== null && !t.session.isOver;

export function liveCalls(calls: Iterable<TrackedCall>): LiveCall[] {
  return [...calls].filter(shown).map(liveCall);
}

/** The live call with this stored id, if it is still going on. */
export function byRowId<T extends TrackedCall>(calls: Iterable<T>, id: number): T | undefined {
  return [...calls].find((t) => t.callRowId === id && !t.session.isOver);
}

export function liveCall(t: TrackedCall): LiveCall {
  const v = t.session.view();
  const r = v.recording;
  const running = r?.pausedSince ? Date.now() - r.pausedSince.getTime() : 0;
  return {
    callId: t.callRowId ?? 0,
    pbxCallId: t.pbxCallId,
    state: v.state,
    direction: v.facts.direction,
    from: t.decision?.from ?? v.facts.from,
    to: t.decision?.to ?? v.facts.to,
    agent: v.agent,
    agents: v.agents,
    flow: v.facts.flow || null,
    applet: v.facts.applet || null,
    startedAt: t.startedAt,
    recordingId: t.recRowId,
    recordingState: r?.state ?? null,
    pauseAllowed: v.pauseAllowed,
    pausedMs: (r?.pausedMs ?? 0) + running,
  };
}
