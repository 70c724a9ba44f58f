// Changes to recordings: early deletion, hold and release, tier, webhook resync, and deleting a
// whole month; a retention action's refusal becomes its HTTP status here.
import type { Role } from '../domain/api-keys';
import type { RetentionError } from '../retention/actions';
import type { Result } from '../util/result';
import { recordingIsGone, recordingJson, visibleRecording } from './access';
import type { ApiDeps } from './deps';
import { ApiError } from './errors';
import type { ApiRoutes } from './route';
import {
  DeleteBody,
  DeleteMonthBody,
  errorResponse,
  HoldBody,
  IdParam,
  jsonResponse,
  Recording,
  ReleaseBody,
  TierBody,
} from './schemas';

/** A retention action's refusal as an HTTP answer. */
export function retentionFailure(e: RetentionError): ApiError {
  const status = { 'not-found': 404, 'on-hold': 409, invalid: 400, conflict: 409 }[e.kind];
  return new ApiError(status, e.kind, e.detail);
}

const unwrap = <T>(r: Result<T, RetentionError>): T => {
  if (!r.ok) throw retentionFailure(r.error);
  return r.value;
};

const STAFF = ['admin', 'supervisor'] as const;
const one = { 200: jsonResponse('The recording after the change', Recording), 404: errorResponse('No such recording') };

export function recordingChangeRoutes(routes: ApiRoutes, deps: ApiDeps): void {
  const { store } = deps;
  routes.add(
    {
      method: 'delete',
      path: '/recordings/:id',
      tag: 'recordings',
      summary: 'Delete a recording early',
      roles: STAFF,
      params: IdParam,
      body: DeleteBody,
      responses: { ...one, 409: errorResponse('On litigation hold') },
    },
    async ({ params, body, key, actor, res }) => {
      const rec = await visibleRecording(store, params.id, key);
      if (rec.onHold) throw new ApiError(409, 'on-hold', `recording ${rec.id} is on hold; release it first`);
      const reason = body.reason ?? 'deleted through the API';
      // The retention module writes the audit row with the tombstone, in one transaction.
      const after = unwrap(await deps.retention.deleteEarly(rec.id, reason, actor));
      res.json(recordingJson(after));
    },
  );

  // A supervisor may put a hold on, but only an admin may lift one: otherwise a supervisor could
  // release an admin's litigation hold and delete the recording.
  const holdLike = (path: 'hold' | 'release', summary: string, roles: readonly Role[]) =>
    routes.add(
      {
        method: 'post',
        path: `/recordings/:id/${path}`,
        tag: 'recordings',
        summary,
        roles,
        params: IdParam,
        body: path === 'hold' ? HoldBody : ReleaseBody,
        responses: one,
      },
      async ({ params, body, key, actor, res }) => {
        const rec = await visibleRecording(store, params.id, key);
        const act =
          path === 'hold' ? deps.retention.hold.bind(deps.retention) : deps.retention.release.bind(deps.retention);
        const after = unwrap(await act(rec.id, body.reason, actor));
        res.json(recordingJson(after));
      },
    );
  holdLike('hold', 'Put a recording on litigation hold', STAFF);
  holdLike('release', 'Release a litigation hold', ['admin']);

  routes.add(
    {
      method: 'put',
      path: '/recordings/:id/tier',
      tag: 'recordings',
      summary: 'Change the retention tier',
      roles: STAFF,
      params: IdParam,
      body: TierBody,
      responses: one,
    },
    async ({ params, body, key, actor, res }) => {
      const rec = await visibleRecording(store, params.id, key);
      recordingIsGone(rec);
      const after = unwrap(await deps.retention.setTier(rec.id, body.tier, actor));
      res.json(recordingJson(after));
    },
  );

  routes.add(
    {
      method: 'post',
      path: '/recordings/:id/resync',
      tag: 'webhooks',
      summary: 'Re-send the recording webhook with the same idempotency key',
      roles: STAFF,
      params: IdParam,
      responses: {
        202: { description: 'Deliveries queued' },
        404: errorResponse('No such recording'),
        409: errorResponse('Not finished, or no webhook URLs'),
      },
    },
    async ({ params, key, actor, res }) => {
      const rec = await visibleRecording(store, params.id, key);
      const r = await deps.webhooks.resync(rec.id, actor);
      if (!r.ok) throw new ApiError(r.error.kind === 'not-found' ? 404 : 409, r.error.kind, r.error.detail);
      res.status(202).json({
        deliveries: r.value.map((d) => ({
          id: d.id,
          event: d.event,
          idempotencyKey: d.idempotencyKey,
          state: d.state,
        })),
      });
    },
  );

  routes.add(
    {
      method: 'post',
      path: '/recordings/delete-month',
      tag: 'recordings',
      summary: 'Delete every unheld recording of a month',
      roles: ['admin'],
      body: DeleteMonthBody,
      responses: { 200: { description: 'Purged, skipped on hold, bytes freed' }, 400: errorResponse('Bad month') },
    },
    async ({ body, actor, res }) => {
      const r = await deps.retention.deleteMonth(body.month, body.reason, actor);
      if (!r.ok) throw retentionFailure(r.error);
      res.json(r.value);
    },
  );
}
