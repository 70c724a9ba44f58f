// Rules CRUD, admin only: flows, applet rules, campaigns, jurisdictions, area code overrides, users
// (supervisors may read them) and the account settings. Bodies are validated by the YAML import's
// own schemas (policy/document.ts) and worded like it, and every write goes through the rules repository, which bumps the rules
// version in the same transaction: the next call through the gate decides with the change.
import { z } from 'zod';
import {
  appletSchema,
  areaCodeSchema,
  campaignSchema,
  documentFromRuleSet,
  flowSchema,
  jurisdictionCodeSchema,
  jurisdictionSchema,
  npaSchema,
  ruleName,
  ruleProblems,
  userDocument,
  userIdSchema,
  userSchema,
} from '../policy/document';
import type { RuleSet } from '../policy/rules';
import type { PutMode, PutOutcome, RulesRepo } from '../store/rules-repo';
import type { ApiDeps } from './deps';
import { ApiError, notFound } from './errors';
import type { ApiRoutes } from './route';
import { errorResponse, jsonResponse } from './schemas';
import { settingsRoutes } from './rules-settings';
import { ruleToolRoutes } from './rules-tools';

type Entry = Record<string, unknown>;
type NoFlow = 'no-flow';

/** A named collection of rules, possibly inside a flow (applet rules). */
interface Collection<S extends z.ZodObject> {
  path: string; // '/campaigns' or '/flows/:flow/applets'
  item: string; // the item's path parameter
  idField: string; // the id's field in POST bodies and in answers
  what: string; // 'campaign', in messages
  id: z.ZodString;
  body: S;
  /** Who may read it besides admins (writes stay admin only). */
  readers?: ReadonlyArray<'supervisor'>;
  entries(rules: RuleSet, flow: string | undefined): Map<string, Entry> | null; // null: no such flow
  put(
    repo: RulesRepo,
    id: string,
    doc: z.output<S>,
    mode: PutMode,
    flow: string | undefined,
  ): Promise<PutOutcome | NoFlow>;
  remove(repo: RulesRepo, id: string, flow: string | undefined): Promise<boolean | NoFlow>;
}

const flowName = ruleName('a flow name');
const q = (s: string) => `"${s}"`;

function collectionRoutes<S extends z.ZodObject>(routes: ApiRoutes, deps: ApiDeps, c: Collection<S>): void {
  const repo = deps.store.rules;
  const nested = c.path.includes(':flow');
  const parent = nested ? { flow: flowName } : {};
  const listParams = z.strictObject(parent);
  const itemParams = z.strictObject({ ...parent, [c.item]: c.id });
  const item = c.body.extend({ [c.idField]: c.id });
  // Problems are worded exactly like `callrec flows import` words them.
  const base = { tag: 'rules', roles: ['admin'], issues: ruleProblems, audit: 'rules-changed' } as const;
  const noFlow = (flow: string | undefined) => notFound(`flow ${q(flow ?? '')}`);
  const read = async (id: string, flow: string | undefined): Promise<Entry | null> => {
    const entries = c.entries(await repo.load(), flow);
    if (!entries) throw noFlow(flow);
    const e = entries.get(id);
    return e ? { [c.idField]: id, ...e } : null;
  };
  const one = async (id: string, flow: string | undefined): Promise<Entry> => {
    const e = await read(id, flow);
    if (!e) throw notFound(`${c.what} ${q(id)}`);
    return e;
  };
  const settle = (out: PutOutcome | NoFlow, id: string, flow: string | undefined): number => {
    if (out === 'no-flow') throw noFlow(flow);
    if (out === 'exists') throw new ApiError(409, 'exists', `${c.what} ${q(id)} already exists; PUT replaces it`);
    return out === 'created' ? 201 : 200;
  };
  const params = (p: Record<string, string>) => ({ id: p[c.item] ?? '', flow: p.flow });

  routes.add(
    {
      ...base,
      roles: ['admin', ...(c.readers ?? [])],
      method: 'get',
      path: c.path,
      summary: `List ${c.what}s`,
      ...(nested ? { params: listParams } : {}),
      responses: {
        200: jsonResponse(`Every ${c.what}`, z.object({ items: z.array(item) })),
        404: errorResponse('No such flow'),
      },
    },
    async ({ params: p, res }) => {
      const flow = (p as Record<string, string>).flow;
      const entries = c.entries(await repo.load(), flow);
      if (!entries) throw noFlow(flow);
      res.json({ items: [...entries].map(([id, e]) => ({ [c.idField]: id, ...e })) });
    },
  );

  routes.add(
    {
      ...base,
      method: 'post',
      path: c.path,
      summary: `Create a ${c.what}`,
      ...(nested ? { params: listParams } : {}),
      body: item,
      responses: {
        201: jsonResponse(`The ${c.what} as stored`, item),
        400: errorResponse('A field is invalid'),
        404: errorResponse('No such flow'),
        409: errorResponse('Already exists'),
      },
    },
    async ({ params: p, body, res }) => {
      const flow = (p as Record<string, string>).flow;
      const { [c.idField]: id, ...doc } = body as Entry;
      const status = settle(await c.put(repo, String(id), doc as z.output<S>, 'create', flow), String(id), flow);
      res.status(status).json(await one(String(id), flow));
    },
  );

  routes.add(
    {
      ...base,
      roles: ['admin', ...(c.readers ?? [])],
      method: 'get',
      path: `${c.path}/:${c.item}`,
      summary: `Read a ${c.what}`,
      params: itemParams,
      responses: { 200: jsonResponse(`The ${c.what}`, item), 404: errorResponse(`No such ${c.what}`) },
    },
    async ({ params: p, res }) => {
      const { id, flow } = params(p as Record<string, string>);
      res.json(await one(id, flow));
    },
  );

  routes.add(
    {
      ...base,
      method: 'put',
      path: `${c.path}/:${c.item}`,
      params: itemParams,
      body: c.body,
      summary: `Create or replace a ${c.what}${c.item === 'flow' ? ' (its applet rules are kept when applets is left out)' : ''}`,
      responses: {
        200: jsonResponse('Replaced', item),
        201: jsonResponse('Created', item),
        400: errorResponse('A field is invalid'),
        404: errorResponse('No such flow'),
      },
    },
    async ({ params: p, body, res }) => {
      const { id, flow } = params(p as Record<string, string>);
      const status = settle(await c.put(repo, id, body, 'put', flow), id, flow);
      res.status(status).json(await one(id, flow));
    },
  );

  routes.add(
    {
      ...base,
      method: 'delete',
      path: `${c.path}/:${c.item}`,
      summary: `Delete a ${c.what}`,
      params: itemParams,
      responses: { 204: { description: 'Deleted' }, 404: errorResponse(`No such ${c.what}`) },
    },
    async ({ params: p, res }) => {
      const { id, flow } = params(p as Record<string, string>);
      const out = await c.remove(repo, id, flow);
      if (out === 'no-flow') throw noFlow(flow);
      if (!out) throw notFound(`${c.what} ${q(id)}`);
      res.status(204).end();
    },
  );
}

export function ruleRoutes(routes: ApiRoutes, deps: ApiDeps): void {
  const add = <S extends z.ZodObject>(c: Collection<S>) => collectionRoutes(routes, deps, c);
  add({
    path: '/flows',
    item: 'flow',
    idField: 'name',
    what: 'flow',
    id: flowName,
    body: flowSchema,
    entries: (r) => new Map(Object.entries(documentFromRuleSet(r).flows ?? {})),
    put: (repo, id, doc, mode) => repo.putFlow(id, doc, mode),
    remove: (repo, id) => repo.deleteFlow(id),
  });
  add({
    path: '/flows/:flow/applets',
    item: 'applet',
    idField: 'name',
    what: 'applet rule',
    id: ruleName('an applet name'),
    body: appletSchema,
    entries: (r, flow) => {
      const f = r.flows.get(flow ?? '');
      return f ? new Map([...f.applets.values()].map((a) => [a.applet, { kind: a.kind, ...a.rule }])) : null;
    },
    put: (repo, id, doc, mode, flow) => repo.putApplet(flow ?? '', id, doc, mode),
    remove: (repo, id, flow) => repo.deleteApplet(flow ?? '', id),
  });
  add({
    path: '/campaigns',
    item: 'campaign',
    idField: 'name',
    what: 'campaign',
    id: ruleName('a campaign name'),
    body: campaignSchema,
    entries: (r) => new Map(Object.entries(documentFromRuleSet(r).campaigns ?? {})),
    put: (repo, id, doc, mode) => repo.putCampaign(id, doc, mode),
    remove: (repo, id) => repo.deleteCampaign(id),
  });
  add({
    path: '/jurisdictions',
    item: 'code',
    idField: 'code',
    what: 'jurisdiction',
    id: jurisdictionCodeSchema,
    body: jurisdictionSchema,
    entries: (r) => new Map([...r.jurisdictions.values()].map(({ code, ...j }) => [code, j])),
    put: (repo, id, doc, mode) => repo.putJurisdiction({ code: id, ...doc }, mode),
    remove: (repo, id) => repo.deleteJurisdiction(id),
  });
  add({
    path: '/area-codes',
    item: 'npa',
    idField: 'npa',
    what: 'area code',
    id: npaSchema,
    body: areaCodeSchema,
    entries: (r) => new Map([...r.areaCodes].map(([npa, jurisdiction]) => [npa, { jurisdiction }])),
    put: (repo, id, doc, mode) => repo.putAreaCode(id, doc.jurisdiction, mode),
    remove: (repo, id) => repo.deleteAreaCode(id),
  });
  add({
    path: '/users',
    item: 'id',
    idField: 'id',
    what: 'user',
    id: userIdSchema,
    body: userSchema,
    readers: ['supervisor'],
    entries: (r) => new Map([...r.users].map(([id, u]) => [id, userDocument(u)])),
    put: (repo, id, doc, mode) => repo.putUser(id, doc, mode),
    remove: (repo, id) => repo.deleteUser(id),
  });
  settingsRoutes(routes, deps);
  ruleToolRoutes(routes, deps);
}
