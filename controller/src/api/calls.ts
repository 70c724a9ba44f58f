// Live calls and the recording actions on them, through the call registry (LiveCallControl).
import { ROLES } from '../domain/api-keys';
import { z } from 'zod';
import type { LiveCall, LiveCallError } from '../calls/live';
import { FEATURE_ACTIONS } from '../domain/vocabulary';
import { mayAccessAgent } from './access';
import type { ApiDeps } from './deps';
import { ApiError, notFound } from './errors';
import type { ApiRoutes } from './route';
import { errorResponse, IdParam } from './schemas';

const ActionParams = IdParam.extend({ action: z.enum(FEATURE_ACTIONS) });

const STATUS: Record<LiveCallError['kind'], number> = {
  'not-found': 404,
  'not-allowed': 409,
  'invalid-state': 409,
  pbx: 502,
};

const liveJson = (c: LiveCall) => ({ ...c, id: c.callId, startedAt: c.startedAt.toISOString() });

export function callRoutes(routes: ApiRoutes, deps: ApiDeps): void {
  routes.add(
    {
      method: 'get',
      path: '/calls/live',
      tag: 'calls',
      summary: 'List calls in progress',
      roles: ROLES,
      responses: { 200: { description: 'Calls in progress (an agent sees their own)' } },
    },
    async ({ key, res }) => {
      res.json({
        items: deps.live
          .list()
          .filter((c) => mayAccessAgent(key, c.agent, c.agents))
          .map(liveJson),
      });
    },
  );

  routes.add(
    {
      method: 'post',
      path: '/calls/:id/recording/:action',
      tag: 'calls',
      summary: 'Pause, resume, start or stop the recording of a live call',
      roles: ROLES,
      params: ActionParams,
      responses: {
        200: { description: 'The call with its recording state after the PBX confirmed' },
        404: errorResponse('No such live call (or not yours)'),
        409: errorResponse('Not allowed by the rule, or not in a state for this action'),
        502: errorResponse('The PBX refused or is not connected'),
      },
    },
    async ({ params, key, actor, res }) => {
      const call = deps.live.get(params.id);
      if (!call || !mayAccessAgent(key, call.agent, call.agents)) throw notFound('live call');
      const r = await deps.live.act(params.id, params.action, actor);
      if (!r.ok) throw new ApiError(STATUS[r.error.kind], r.error.kind, r.error.detail);
      res.json(liveJson(r.value));
    },
  );
}
