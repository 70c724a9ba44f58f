// Rules CRUD (flows, applet rules, settings, campaigns, jurisdictions), admin only. The routes and
// their shape are declared here so roles and the OpenAPI document are complete; the handlers
// answer 501 until the policy store (store/rules-repo.ts) and its validation, shared with the YAML
// import, are merged. TODO(merge): replace `pending` with calls into the rules repository and
// replace RuleBody with the policy module's schemas.
import { z } from 'zod';
import { ApiError } from './errors';
import type { ApiRoutes, Method } from './route';
import { errorResponse } from './schemas';

const RuleBody = z.record(z.string(), z.unknown()).meta({ description: 'Validated like the YAML import (policy schemas)' });
const slug = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, { error: 'must be 1-64 letters, digits, _ . -' });

const RESOURCES: Array<{ path: string; params?: z.ZodObject; methods: Method[]; what: string }> = [
  { path: '/flows', methods: ['get', 'post'], what: 'flows' },
  { path: '/flows/:flow', params: z.strictObject({ flow: slug }), methods: ['get', 'put', 'delete'], what: 'a flow' },
  { path: '/flows/:flow/applets', params: z.strictObject({ flow: slug }), methods: ['get'], what: 'applet rules of a flow' },
  { path: '/flows/:flow/applets/:applet', params: z.strictObject({ flow: slug, applet: slug }), methods: ['get', 'put', 'delete'], what: 'an applet rule' },
  { path: '/settings', methods: ['get'], what: 'settings' },
  { path: '/settings/:key', params: z.strictObject({ key: slug }), methods: ['get', 'put'], what: 'a setting' },
  { path: '/campaigns', methods: ['get', 'post'], what: 'campaigns' },
  { path: '/campaigns/:campaign', params: z.strictObject({ campaign: slug }), methods: ['get', 'put', 'delete'], what: 'a campaign' },
  { path: '/jurisdictions', methods: ['get', 'post'], what: 'jurisdictions' },
  { path: '/jurisdictions/:code', params: z.strictObject({ code: z.string().regex(/^[A-Z]{2}(-[A-Z0-9]{1,3})?$/, { error: 'must be like GB or US-CA' }) }), methods: ['get', 'put', 'delete'], what: 'a jurisdiction' },
];

const VERB: Record<Method, string> = { get: 'Read', post: 'Create', put: 'Replace', delete: 'Delete' };

export function ruleRoutes(routes: ApiRoutes): void {
  for (const r of RESOURCES) {
    for (const method of r.methods) {
      const hasBody = method === 'post' || method === 'put';
      routes.add({
        method, path: r.path, tag: 'rules', summary: `${VERB[method]} ${r.what}`, roles: ['admin'],
        ...(r.params ? { params: r.params } : {}), ...(hasBody ? { body: RuleBody } : {}),
        responses: { 501: errorResponse('Not available in this build yet') },
      }, async () => {
        throw new ApiError(501, 'not-implemented', 'rules CRUD arrives with the policy store; use the YAML import meanwhile');
      });
    }
  }
}
