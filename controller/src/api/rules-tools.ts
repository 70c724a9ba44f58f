// The rules as a whole: their effective values (inherited ones marked), YAML export and import
// (the `callrec flows` file, same parser and wording), and "try a call": the policy's decision for
// given call facts from the same engine as the gate and `callrec explain`.
import { z } from 'zod';
import { DEFAULT_TIER_LENGTHS } from '../domain/tiers';
import { answerPreview } from '../domain/user-mode';
import { documentFromRuleSet } from '../policy/document';
import { effectiveRules } from '../policy/effective';
import { parseRulesYaml, toRulesYaml } from '../policy/flows-yaml';
import { CONSENT_MODES, RECORD_MODES, TIERS } from '../policy/rules';
import { RulesService, tierLength, triedCallFacts } from '../policy/service';
import type { ApiDeps, PolicyAccess } from './deps';
import { ApiError } from './errors';
import type { ApiRoutes } from './route';
import { DIRECTIONS, errorResponse, jsonResponse } from './schemas';

const MAX_YAML_PROBLEMS = 10;
const name = z.string().min(1).max(64).optional();
const number = z.string().min(1).max(40).optional().meta({ description: 'As the PBX gives it: any form' });

export const TryCallBody = z
  .strictObject({
    direction: z.enum(DIRECTIONS).default('inbound'),
    from: number,
    to: number,
    flow: name,
    applet: name,
    campaign: name,
    agent: name,
    language: z
      .string()
      .regex(/^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})?$/, { error: 'a language is a code such as en or es-MX' })
      .optional(),
  })
  .meta({ id: 'TryCall' });

const DecisionJson = z
  .object({
    record: z.enum(RECORD_MODES),
    consent: z.enum(CONSENT_MODES),
    greeting: z.object({ prompt: z.string(), sound: z.string(), language: z.string() }).nullable(),
    pauseAllowed: z.boolean(),
    beep: z.boolean(),
    stereo: z.boolean(),
    tier: z.enum(TIERS),
    from: z.string().nullable(),
    to: z.string().nullable(),
    jurisdictions: z.array(z.string()),
    placed: z.array(z.string()).optional(),
    reasons: z.array(z.string()),
    source: z.string().optional(),
    fallback: z.string().nullable().optional(),
  })
  .meta({ id: 'Decision' });

const fieldOf = (value: z.ZodType) => z.object({ value, from: z.enum(['account', 'flow', 'applet', 'campaign']) });
const EffectiveRule = z
  .object({
    record: fieldOf(z.enum(RECORD_MODES)),
    consent: fieldOf(z.enum(CONSENT_MODES)),
    greeting: fieldOf(z.record(z.string(), z.string())),
    pause: fieldOf(z.boolean()),
    beep: fieldOf(z.boolean()),
    stereo: fieldOf(z.boolean()),
    tier: fieldOf(z.enum(TIERS)),
  })
  .meta({ id: 'EffectiveRule', description: '`from` names the level the value comes from (inherited when wider)' });
const EffectiveJson = z.object({
  version: z.number(),
  account: z.object({
    inbound: EffectiveRule,
    outbound: EffectiveRule,
    internal: EffectiveRule,
    languages: z.array(z.string()),
  }),
  flows: z.array(
    z.object({
      name: z.string(),
      description: z.string().nullable(),
      enabled: z.boolean(),
      defaults: EffectiveRule,
      applets: z.array(z.object({ name: z.string(), kind: z.string(), rule: EffectiveRule })),
    }),
  ),
  campaigns: z.array(z.object({ name: z.string(), enabled: z.boolean(), rule: EffectiveRule })),
});
const ImportBody = z.strictObject({ yaml: z.string().min(1, { error: 'the YAML text is empty' }) });

/** Without wiring (tests), the store's rules with the built-in defaults decide. */
function policyOf(deps: ApiDeps): PolicyAccess {
  if (deps.policy) return deps.policy;
  const tierLengths = DEFAULT_TIER_LENGTHS;
  const settings = { defaultCountry: deps.defaultCountry, defaultLanguage: 'en', tierLengths };
  const service = new RulesService(deps.store.rules, settings);
  return { pbx: 'asterisk', tierLengths, engine: () => service.engine() };
}

export function ruleToolRoutes(routes: ApiRoutes, deps: ApiDeps): void {
  const repo = deps.store.rules;
  const policy = policyOf(deps);
  const admin = { tag: 'rules', roles: ['admin'] } as const;

  routes.add(
    {
      ...admin,
      method: 'get',
      path: '/rules/effective',
      summary: 'Read every rule with its effective values',
      responses: { 200: jsonResponse('Account settings, flows with applets, campaigns', EffectiveJson) },
    },
    async ({ res }) => {
      res.json(effectiveRules(await repo.load()));
    },
  );

  routes.add(
    {
      ...admin,
      method: 'get',
      path: '/rules/export',
      summary: 'Export the rules as flows.yaml',
      responses: { 200: { description: 'YAML', content: { 'text/yaml': { schema: z.string() } } } },
    },
    async ({ res }) => {
      res.type('text/yaml').send(toRulesYaml(documentFromRuleSet(await repo.load())));
    },
  );

  routes.add(
    {
      ...admin,
      method: 'post',
      path: '/rules/import',
      summary:
        'Import flows.yaml: replaces every flow and campaign, and the account settings and users when it has them',
      body: ImportBody,
      audit: 'rules-changed',
      responses: {
        200: jsonResponse(
          'Imported',
          z.object({
            flows: z.number(),
            applets: z.number(),
            campaigns: z.number(),
            users: z.number().nullable().describe('null: the YAML has no users section, users kept'),
            version: z.number(),
          }),
        ),
        400: errorResponse('The YAML is invalid (each problem with its line): nothing imported'),
      },
    },
    async ({ body, res }) => {
      const parsed = parseRulesYaml(body.yaml);
      if (!parsed.ok) {
        const shown = parsed.errors.slice(0, MAX_YAML_PROBLEMS);
        throw new ApiError(
          400,
          'invalid-rules',
          `${parsed.errors.length} problem(s) in the YAML; nothing imported`,
          shown.map((problem) => ({ field: 'body.yaml', problem })),
        );
      }
      const n = await repo.importDocument(parsed.doc);
      res.json({ ...n, version: await repo.version() });
    },
  );

  routes.add(
    {
      tag: 'rules',
      roles: ['admin', 'supervisor'],
      method: 'post',
      path: '/rules/try',
      summary: 'Try a call: what the policy decides for these facts, and why',
      body: TryCallBody,
      responses: {
        200: jsonResponse(
          "The gate's decision for these facts (as `callrec explain`)",
          z.object({
            decision: DecisionJson,
            tierLength: z.string(),
            atAnswer: z
              .object({
                action: z.enum(['start', 'keep', 'wait', 'none']),
                pauseAllowed: z.boolean(),
                tier: z.enum(['standard', 'extended']),
                reasons: z.array(z.string()),
              })
              .nullable()
              .describe("What the agent's recording mode does when they answer (null: no such user, or outbound)"),
          }),
        ),
        400: errorResponse('A field is invalid'),
      },
    },
    async ({ body, res }) => {
      const { direction, ...tried } = body;
      const engine = await policy.engine();
      const decision = engine.decide(triedCallFacts(policy.pbx, direction, tried));
      const atAnswer = answerPreview(direction, decision, tried.agent ? engine.user(tried.agent) : null);
      res.json({ decision, tierLength: tierLength(decision.tier, policy.tierLengths), atAnswer });
    },
  );
}
