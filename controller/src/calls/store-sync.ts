// Writes what a session shows to the store, and reads it back for a session adopted after a
// restart. The only place the call lifecycle touches repositories.
import path from 'node:path';
import type { GateFacts } from '../domain/pbx-events';
import type { CallRecord, RecordingRecord, RecordingState } from '../domain/records';
import { PLAIN_RECORDER } from '../domain/recorder-spec';
import type { RecordingView, SessionView } from '../domain/session-types';
import type { Decision } from '../policy/types';
import type { Store } from '../store';
import type { NewCall } from '../store/calls-repo';
import type { NewRecording, RecordingPatch } from '../store/recordings-repo';
import { relativeToRoot } from './paths';
import type { SyncContext, TimelineEntry, TrackedCall } from './types';

function callPatch(v: SessionView, t: TrackedCall) {
  return {
    state: v.state,
    consentOutcome: v.consentOutcome,
    fallbackReason: v.fallbackReason?.slice(0, 255) ?? null,
    answeredAt: v.answeredAt,
    endedAt: v.endedAt,
    hangupCause: v.hangupCause,
    recordMode: v.decision?.record ?? null,
    consentMode: v.decision?.consent ?? null,
    decision: t.decision ?? v.decision,
    agent: v.agent,
  };
}

function recordingPatch(r: RecordingView, v: SessionView, pbxRoot: string) {
  return {
    agent: v.agent,
    // A user's longer tier (user-mode.ts) reaches the row; a shorter one never does.
    ...(v.decision?.tier === 'extended' ? { tier: 'extended' as const } : {}),
    state: r.state,
    startedAt: r.startedAt,
    endedAt: r.endedAt,
    pausedMs: r.pausedMs,
    filePath: r.file?.relPath ?? relativeToRoot(r.pbxFile ?? '', pbxRoot),
    failureReason: r.failureReason,
  };
}

/**
 * Writes the call row and/or the recording row, and the timeline entries that go with them, in
 * one transaction: one commit before the gate's `continue` instead of two (bench/gate.ts).
 */
export async function persistSession(
  ctx: SyncContext,
  t: TrackedCall,
  call: boolean,
  recording: boolean,
  timeline: TimelineEntry[] = [],
  at = new Date(),
): Promise<void> {
  const v = t.session.view();
  const rec = recording ? v.recording : null;
  if (!call && !rec) return;
  await ctx.store.transaction(async (tx) => {
    await writeRows(tx, ctx, t, v, call, rec);
    if (t.callRowId === null) return;
    for (const tl of timeline) await tx.events.append(timelineEvent(t.callRowId, t.recRowId, tl, at));
  });
}

/** `at` given by the caller: a write replayed from the journal is recognized by it (calls/journal-writer.ts). */
export function timelineEvent(callId: number, recordingId: number | null, tl: TimelineEntry, at?: Date) {
  const by = typeof tl.detail.by === 'string' ? tl.detail.by : 'system';
  return { callId, recordingId, type: tl.event.slice(0, 32), actor: by, detail: tl.detail, ...(at ? { at } : {}) };
}

async function writeRows(
  tx: Store,
  ctx: SyncContext,
  t: TrackedCall,
  v: SessionView,
  call: boolean,
  rec: RecordingView | null,
): Promise<void> {
  if (call || t.callRowId === null) {
    if (t.callRowId === null) {
      t.callRowId = await tx.calls.insertId(newCallRow(ctx, t, v));
    } else {
      await tx.calls.update(t.callRowId, callPatch(v, t));
    }
  }
  if (!rec || t.callRowId === null) return;
  if (t.recRowId === null) {
    t.recRowId = await tx.recordings.insertId(newRecordingRow(ctx, t, v, rec, t.callRowId));
  } else {
    await tx.recordings.update(t.recRowId, recordingPatch(rec, v, ctx.pbxRoot));
  }
  const stored = t.agentsStored ?? 0;
  if (v.agents.length > stored) {
    await tx.recordings.addAgents(t.recRowId, v.agents.slice(stored));
    t.agentsStored = v.agents.length;
  }
}

/** The whole call row as the session shows it (inserted, or replayed from the journal). */
export function newCallRow(ctx: SyncContext, t: TrackedCall, v: SessionView): NewCall {
  const f = v.facts;
  return {
    node: ctx.node,
    pbx: ctx.pbx,
    pbxCallId: t.pbxCallId,
    direction: f.direction,
    flow: f.flow || null,
    applet: f.applet || null,
    campaign: f.campaign,
    fromNumber: t.decision?.from ?? f.from,
    fromRaw: f.from,
    toNumber: t.decision?.to ?? f.to,
    toRaw: f.to,
    language: f.language,
    startedAt: t.startedAt,
    ...callPatch(v, t),
  };
}

/** The whole recording row as the session shows it; its file path is its key in the journal. */
export function newRecordingRow(
  ctx: SyncContext,
  t: TrackedCall,
  v: SessionView,
  rec: RecordingView,
  callId: number,
): NewRecording & RecordingPatch {
  const f = v.facts;
  return {
    callId,
    recordMode: rec.recordMode,
    tier: v.decision?.tier ?? 'standard',
    channels: v.decision?.stereo ? 2 : 1,
    beep: v.decision?.beep ?? false,
    direction: f.direction,
    fromNumber: t.decision?.from ?? f.from,
    toNumber: t.decision?.to ?? f.to,
    flow: f.flow || null,
    campaign: f.campaign,
    ...recordingPatch(rec, v, ctx.pbxRoot),
  };
}

export function factsFromCall(c: CallRecord): GateFacts {
  return {
    flow: c.flow ?? '',
    applet: c.applet ?? '',
    direction: c.direction,
    from: c.fromRaw,
    to: c.toRaw,
    campaign: c.campaign,
    agent: c.agent,
    language: c.language,
    answered: c.answeredAt !== null,
  };
}

export function viewFromRecording(r: RecordingRecord, pbxFile: string | null, pbxRoot: string): RecordingView {
  const file = {
    relPath: r.filePath,
    pbxPath: path.posix.isAbsolute(r.filePath) ? r.filePath : path.posix.join(pbxRoot, r.filePath),
  };
  return {
    state: r.state === 'paused' ? 'paused' : 'recording',
    file,
    pbxFile: pbxFile ?? file.pbxPath,
    recordMode: r.recordMode,
    recorder: PLAIN_RECORDER,
    recorderId: null,
    startedAt: r.startedAt,
    endedAt: null,
    pausedMs: r.pausedMs,
    pausedSince: r.state === 'paused' ? r.updatedAt : null,
    adopted: true,
    failureReason: null,
  };
}

const RECORD_MODES = new Set(['off', 'from-ringing', 'from-answer', 'on-demand']);
const CONSENT_MODES = new Set(['none', 'announce', 'opt-out', 'opt-in']);

/** The decision stored with a call (JSON), or null when it is not one (an older or hand-edited row). */
export function storedDecision(v: unknown): Decision | null {
  if (typeof v !== 'object' || v === null) return null;
  const d = v as Record<string, unknown>;
  return RECORD_MODES.has(String(d.record)) && CONSENT_MODES.has(String(d.consent)) ? (v as Decision) : null;
}

export const LIVE_RECORDING_STATES = ['pending', 'recording', 'paused', 'finalizing'] as const;

/** Not settled yet: its file may still be written. */
export const isLiveRecording = (state: RecordingState): boolean =>
  (LIVE_RECORDING_STATES as readonly string[]).includes(state);
