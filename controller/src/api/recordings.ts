// Recordings: search, details, delete, hold/release, tier, resync. This module shows one recording
// with its call and timeline; the search and the changes have modules of their own.
import { recordingJson, visibleRecording } from './access';
import type { ApiDeps } from './deps';
import { withoutServerPaths } from './public-paths';
import { recordingChangeRoutes } from './recording-changes';
import { searchRoute } from './recording-search';
import type { ApiRoutes } from './route';
import { errorResponse, IdParam } from './schemas';

/**
 * The policy's words, lifted out of the stored decision: why it was (not) recorded, which rule
 * decided, and why a wider rule than the call asked for was used (ruleFallback). The gate's own
 * fallback (policy unavailable, deadline) is the call's fallbackReason.
 */
function decisionSummary(d: unknown): { reasons: string[]; decidedBy: string | null; ruleFallback: string | null } {
  const o = (typeof d === 'object' && d !== null ? d : {}) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' ? v : null);
  return {
    reasons: Array.isArray(o.reasons) ? o.reasons.filter((r): r is string => typeof r === 'string') : [],
    decidedBy: text(o.source),
    ruleFallback: text(o.fallback),
  };
}

const ALL = ['admin', 'supervisor', 'agent'] as const;

export function recordingRoutes(routes: ApiRoutes, deps: ApiDeps): void {
  const { store } = deps;
  searchRoute(routes, deps);

  routes.add(
    {
      method: 'get',
      path: '/recordings/:id',
      tag: 'recordings',
      summary: 'Show a recording with its call and timeline',
      roles: ALL,
      params: IdParam,
      responses: {
        200: { description: 'Recording, call facts, consent, decision reasons, events, webhook deliveries' },
        404: errorResponse('No such recording'),
      },
    },
    async ({ params, key, actor, res }) => {
      const rec = await visibleRecording(store, params.id, key);
      await store.events.append({ callId: rec.callId, recordingId: rec.id, type: 'viewed', actor, detail: null });
      const [call, events, deliveries] = await Promise.all([
        store.calls.get(rec.callId),
        store.events.forRecording(rec.id),
        store.webhooks.forRecording(rec.id),
      ]);
      res.json({
        recording: recordingJson(rec),
        call: call && {
          id: call.id,
          node: call.node,
          pbx: call.pbx,
          direction: call.direction,
          flow: call.flow,
          applet: call.applet,
          campaign: call.campaign,
          from: call.fromNumber,
          fromRaw: call.fromRaw,
          to: call.toNumber,
          toRaw: call.toRaw,
          agent: call.agent,
          language: call.language,
          state: call.state,
          recordMode: call.recordMode,
          consentMode: call.consentMode,
          consentOutcome: call.consentOutcome,
          ...decisionSummary(call.decision),
          decision: call.decision,
          fallbackReason: call.fallbackReason,
          hangupCause: call.hangupCause,
          startedAt: call.startedAt,
          answeredAt: call.answeredAt,
          endedAt: call.endedAt,
        },
        events: events.map((e) => ({
          type: e.type,
          actor: e.actor,
          at: e.at,
          detail: withoutServerPaths(e.detail, deps.recordingsDir, rec.filePath),
        })),
        webhooks: deliveries.map((d) => ({
          id: d.id,
          event: d.event,
          state: d.state,
          attempts: d.attempts,
          lastStatus: d.lastStatus,
          idempotencyKey: d.idempotencyKey,
          deliveredAt: d.deliveredAt,
        })),
      });
    },
  );

  recordingChangeRoutes(routes, deps);
}
