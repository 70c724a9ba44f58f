// API keys as an admin sees them (creation is `callrec keys create`, which prints the key once).
import { ROLES } from '../domain/api-keys';
import { revokeKey } from '../store/key-audit';
import type { ApiDeps } from './deps';
import { ApiError } from './errors';
import type { ApiRoutes } from './route';
import { errorResponse, IdParam } from './schemas';

export function keyRoutes(routes: ApiRoutes, deps: ApiDeps): void {
  routes.add(
    {
      method: 'get',
      path: '/keys',
      tag: 'keys',
      summary: 'List API keys',
      roles: ['admin'],
      responses: { 200: { description: 'Keys by prefix, never the key or its hash' } },
    },
    async ({ res }) => {
      res.json({ items: await deps.store.keys.list() });
    },
  );

  routes.add(
    {
      method: 'delete',
      path: '/keys/:id',
      tag: 'keys',
      summary: 'Revoke an API key',
      roles: ['admin'],
      params: IdParam,
      responses: { 204: { description: 'Revoked' }, 404: errorResponse('No such active key') },
    },
    async ({ params, actor, res }) => {
      const revoked = await revokeKey(deps.store, params.id, actor);
      if (!revoked) throw new ApiError(404, 'not-found', `no active key ${params.id}`);
      deps.logger.info('API key revoked', { keyId: params.id, by: actor });
      res.status(204).end();
    },
  );
}

/** Who the key is, so a client (the dashboard) can hide what its role may not use. */
export function meRoute(routes: ApiRoutes): void {
  routes.add(
    {
      method: 'get',
      path: '/me',
      tag: 'keys',
      summary: 'Describe the key in use',
      roles: ROLES,
      responses: { 200: { description: 'name, role and agent of the key' } },
    },
    async ({ key, res }) => {
      res.json({ name: key.name, role: key.role, agent: key.agent });
    },
  );
}
