// Recordings: search, details, delete, hold/release, tier, resync.
import type { Role } from '../domain/api-keys';
import type { RecordingRecord } from '../domain/records';
import type { Cursor } from '../store/search-repo';
import type { RetentionError } from '../retention/actions';
import type { Result } from '../util/result';
import { recordingJson, visibleRecording } from './access';
import type { ApiDeps } from './deps';
import { ApiError } from './errors';
import { storedForms } from './numbers';
import type { ApiRoutes } from './route';
import {
  DeleteBody, DeleteMonthBody, errorResponse, HoldBody, IdParam, jsonResponse, Recording, ReleaseBody, SearchPage, SearchQuery, TierBody,
} from './schemas';

export function recordingIsGone(rec: RecordingRecord): void {
  if (rec.state === 'purged' || rec.state === 'purging') throw new ApiError(410, 'purged', `recording ${rec.id} was purged`);
}

const encodeCursor = (c: Cursor): string => Buffer.from(JSON.stringify([c.startedAt.getTime(), c.id])).toString('base64url');

function decodeCursor(s: string): Cursor {
  try {
    const v: unknown = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && Number.isSafeInteger(v[0]) && Number.isSafeInteger(v[1])) {
      return { startedAt: new Date(v[0] as number), id: v[1] as number };
    }
  } catch { /* reported below */ }
  throw new ApiError(400, 'invalid-request', 'query.cursor: not a cursor this API issued', [{ field: 'query.cursor', problem: 'not a cursor this API issued' }]);
}

/** A retention action's refusal as an HTTP answer. */
export function retentionFailure(e: RetentionError): ApiError {
  const status = { 'not-found': 404, 'on-hold': 409, invalid: 400, conflict: 409 }[e.kind];
  return new ApiError(status, e.kind, e.detail);
}

const unwrap = <T>(r: Result<T, RetentionError>): T => { if (!r.ok) throw retentionFailure(r.error); return r.value; };

/**
 * The policy's words, lifted out of the stored decision: why it was (not) recorded, which rule
 * decided, and why a wider rule than the call asked for was used (ruleFallback). The gate's own
 * fallback (policy unavailable, deadline) is the call's fallbackReason.
 */
function decisionSummary(d: unknown): { reasons: string[]; decidedBy: string | null; ruleFallback: string | null } {
  const o = (typeof d === 'object' && d !== null ? d : {}) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' ? v : null);
  return { reasons: Array.isArray(o.reasons) ? o.reasons.filter((r): r is string => typeof r === 'string') : [], decidedBy: text(o.source), ruleFallback: text(o.fallback) };
}

/** The filters a search named (validated already), without paging, as the audit row records them. */
function searchFilters(q: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(q)) if (typeof v === 'string' && !['cursor', 'limit', 'sort'].includes(k)) out[k] = v;
  return out;
}

const STAFF = ['admin', 'supervisor'] as const;
const ALL = ['admin', 'supervisor', 'agent'] as const;
const one = { 200: jsonResponse('The recording after the change', Recording), 404: errorResponse('No such recording') };

export function recordingRoutes(routes: ApiRoutes, deps: ApiDeps): void {
  const { store } = deps;
  routes.add({
    method: 'get', path: '/recordings', tag: 'recordings', summary: 'Search recordings', roles: ALL, query: SearchQuery,
    responses: { 200: jsonResponse('One page, newest first unless sort=asc', SearchPage), 400: errorResponse('A filter is invalid') },
  }, async ({ query, key, actor, req, res }) => {
    const agent = key.role === 'agent' ? key.agent ?? '' : query.agent;
    // Who looked for what is audited like who listened: a number search is access to personal data.
    const audit = (results: number) => store.events.append({ callId: null, recordingId: null, type: 'searched', actor, detail: { filters: searchFilters(req.query), results } });
    if (key.role === 'agent' && query.agent !== undefined && query.agent !== key.agent) {
      await audit(0);
      res.json({ items: [], nextCursor: null });
      return;
    }
    const page = await store.search.search(
      { ...query, agent, numbers: query.number ? storedForms(query.number, deps.defaultCountry) : undefined },
      { limit: query.limit ?? 50, order: query.sort, ...(query.cursor ? { after: decodeCursor(query.cursor) } : {}) },
    );
    await audit(page.items.length);
    res.json({ items: page.items.map(recordingJson), nextCursor: page.next ? encodeCursor(page.next) : null });
  });

  routes.add({
    method: 'get', path: '/recordings/:id', tag: 'recordings', summary: 'Show a recording with its call and timeline', roles: ALL,
    params: IdParam, responses: { 200: { description: 'Recording, call facts, consent, decision reasons, events, webhook deliveries' }, 404: errorResponse('No such recording') },
  }, async ({ params, key, actor, res }) => {
    const rec = await visibleRecording(store, params.id, key);
    await store.events.append({ callId: rec.callId, recordingId: rec.id, type: 'viewed', actor, detail: null });
    const [call, events, deliveries] = await Promise.all([
      store.calls.get(rec.callId), store.events.forRecording(rec.id), store.webhooks.forRecording(rec.id),
    ]);
    res.json({
      recording: recordingJson(rec),
      call: call && {
        id: call.id, node: call.node, pbx: call.pbx, direction: call.direction, flow: call.flow, applet: call.applet,
        campaign: call.campaign, from: call.fromNumber, fromRaw: call.fromRaw, to: call.toNumber, toRaw: call.toRaw,
        agent: call.agent, language: call.language, state: call.state, recordMode: call.recordMode, consentMode: call.consentMode,
        consentOutcome: call.consentOutcome, ...decisionSummary(call.decision), decision: call.decision,
        fallbackReason: call.fallbackReason, hangupCause: call.hangupCause,
        startedAt: call.startedAt, answeredAt: call.answeredAt, endedAt: call.endedAt,
      },
      events: events.map((e) => ({ type: e.type, actor: e.actor, at: e.at, detail: e.detail })),
      webhooks: deliveries.map((d) => ({
        id: d.id, event: d.event, state: d.state, attempts: d.attempts, lastStatus: d.lastStatus, idempotencyKey: d.idempotencyKey, deliveredAt: d.deliveredAt,
      })),
    });
  });

  routes.add({
    method: 'delete', path: '/recordings/:id', tag: 'recordings', summary: 'Delete a recording early', roles: STAFF,
    params: IdParam, body: DeleteBody, responses: { ...one, 409: errorResponse('On litigation hold') },
  }, async ({ params, body, key, actor, res }) => {
    const rec = await visibleRecording(store, params.id, key);
    if (rec.onHold) throw new ApiError(409, 'on-hold', `recording ${rec.id} is on hold; release it first`);
    const reason = body.reason ?? 'deleted through the API';
    // The retention module writes the audit row with the tombstone, in one transaction.
    const after = unwrap(await deps.retention.deleteEarly(rec.id, reason, actor));
    res.json(recordingJson(after));
  });

  // A supervisor may put a hold on, but only an admin may lift one: otherwise a supervisor could
  // release an admin's litigation hold and delete the recording.
  const holdLike = (path: 'hold' | 'release', summary: string, roles: readonly Role[]) => routes.add({
    method: 'post', path: `/recordings/:id/${path}`, tag: 'recordings', summary, roles,
    params: IdParam, body: path === 'hold' ? HoldBody : ReleaseBody, responses: one,
  }, async ({ params, body, key, actor, res }) => {
    const rec = await visibleRecording(store, params.id, key);
    const act = path === 'hold' ? deps.retention.hold.bind(deps.retention) : deps.retention.release.bind(deps.retention);
    const after = unwrap(await act(rec.id, body.reason, actor));
    res.json(recordingJson(after));
  });
  holdLike('hold', 'Put a recording on litigation hold', STAFF);
  holdLike('release', 'Release a litigation hold', ['admin']);

  routes.add({
    method: 'put', path: '/recordings/:id/tier', tag: 'recordings', summary: 'Change the retention tier', roles: STAFF,
    params: IdParam, body: TierBody, responses: one,
  }, async ({ params, body, key, actor, res }) => {
    const rec = await visibleRecording(store, params.id, key);
    recordingIsGone(rec);
    const after = unwrap(await deps.retention.setTier(rec.id, body.tier, actor));
    res.json(recordingJson(after));
  });

  routes.add({
    method: 'post', path: '/recordings/:id/resync', tag: 'webhooks', summary: 'Re-send the recording webhook with the same idempotency key',
    roles: STAFF, params: IdParam,
    responses: { 202: { description: 'Deliveries queued' }, 404: errorResponse('No such recording'), 409: errorResponse('Not finished, or no webhook URLs') },
  }, async ({ params, key, actor, res }) => {
    const rec = await visibleRecording(store, params.id, key);
    const r = await deps.webhooks.resync(rec.id, actor);
    if (!r.ok) throw new ApiError(r.error.kind === 'not-found' ? 404 : 409, r.error.kind, r.error.detail);
    res.status(202).json({ deliveries: r.value.map((d) => ({ id: d.id, event: d.event, idempotencyKey: d.idempotencyKey, state: d.state })) });
  });

  routes.add({
    method: 'post', path: '/recordings/delete-month', tag: 'recordings', summary: 'Delete every unheld recording of a month', roles: ['admin'],
    body: DeleteMonthBody, responses: { 200: { description: 'Purged, skipped on hold, bytes freed' }, 400: errorResponse('Bad month') },
  }, async ({ body, actor, res }) => {
    const r = await deps.retention.deleteMonth(body.month, body.reason, actor);
    if (!r.ok) throw retentionFailure(r.error);
    res.json(r.value);
  });
}
