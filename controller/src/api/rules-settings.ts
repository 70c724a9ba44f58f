// Account settings, admin only: the rule for inbound calls no flow covers, for outbound calls no
// campaign covers, for internal calls, and the greeting languages. Same schemas as flows.yaml.
import {
  accountSchema,
  documentFromRuleSet,
  languagesSchema,
  ruleFieldsSchema,
  ruleProblems,
  type AccountDocument,
} from '../policy/document';
import type { ApiDeps } from './deps';
import type { ApiRoutes } from './route';
import { errorResponse, jsonResponse } from './schemas';

const RULE_KEYS = ['inbound', 'outbound', 'internal'] as const;
const base = { tag: 'rules', roles: ['admin'], issues: ruleProblems, audit: 'rules-changed' } as const;

export function settingsRoutes(routes: ApiRoutes, deps: ApiDeps): void {
  const repo = deps.store.rules;
  const account = async (): Promise<AccountDocument> => documentFromRuleSet(await repo.load()).account ?? {};
  const invalid = { 400: errorResponse('A field is invalid') };

  routes.add(
    {
      ...base,
      method: 'get',
      path: '/settings',
      summary: 'Read the account settings (defaults filled in)',
      responses: { 200: jsonResponse('Account settings', accountSchema) },
    },
    async ({ res }) => {
      res.json(await account());
    },
  );

  routes.add(
    {
      ...base,
      method: 'put',
      path: '/settings',
      summary: 'Replace the account settings the body names; the others stay',
      body: accountSchema,
      responses: { 200: jsonResponse('Account settings after the change', accountSchema), ...invalid },
    },
    async ({ body, res }) => {
      await repo.setAccount(body);
      res.json(await account());
    },
  );

  for (const key of RULE_KEYS) {
    routes.add(
      {
        ...base,
        method: 'get',
        path: `/settings/${key}`,
        summary: `Read the account ${key} rule`,
        responses: { 200: jsonResponse(`The ${key} rule`, ruleFieldsSchema) },
      },
      async ({ res }) => {
        res.json((await account())[key]);
      },
    );
    routes.add(
      {
        ...base,
        method: 'put',
        path: `/settings/${key}`,
        body: ruleFieldsSchema,
        summary: `Replace the account ${key} rule (fields left out take the built-in default)`,
        responses: { 200: jsonResponse(`The ${key} rule after the change`, ruleFieldsSchema), ...invalid },
      },
      async ({ body, res }) => {
        await repo.setAccount({ [key]: body });
        res.json((await account())[key]);
      },
    );
  }

  routes.add(
    {
      ...base,
      method: 'get',
      path: '/settings/languages',
      summary: 'Read the greeting languages',
      responses: { 200: jsonResponse('Languages', languagesSchema) },
    },
    async ({ res }) => {
      res.json((await account()).languages);
    },
  );
  routes.add(
    {
      ...base,
      method: 'put',
      path: '/settings/languages',
      summary: 'Replace the greeting languages',
      body: languagesSchema,
      responses: { 200: jsonResponse('Languages after the change', languagesSchema), ...invalid },
    },
    async ({ body, res }) => {
      await repo.setAccount({ languages: body });
      res.json((await account()).languages);
    },
  );
}
