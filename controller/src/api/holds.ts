// Litigation holds by case: hold many recordings (chosen, or every result of a search) under one
// case in one action, list the cases, release a case as a whole. Audited per recording by the store.
import { z } from 'zod';
import { HoldRefused, type HoldSelection } from '../store/holds-repo';
import type { ApiDeps } from './deps';
import { ApiError } from './errors';
import { storedForms } from './numbers';
import type { ApiRoutes } from './route';
import { CaseRef, errorResponse, Reason, SearchQuery } from './schemas';

const MAX_IDS = 5000;

const HoldFilter = SearchQuery.omit({ sort: true, limit: true, cursor: true });
const HoldCaseBody = z
  .strictObject({
    case: CaseRef,
    reason: Reason.optional().meta({ description: 'Stored with each hold; "litigation hold, case <case>" if absent' }),
    ids: z
      .array(z.number().int().positive())
      .min(1, { error: 'must name at least one recording' })
      .max(MAX_IDS, { error: `must name at most ${MAX_IDS} recordings: hold a search's results with filter instead` })
      .optional(),
    filter: HoldFilter.optional().meta({
      description: 'Every recording this search finds (GET /api/recordings filters)',
    }),
  })
  .superRefine((b, ctx) => {
    if ((b.ids === undefined) === (b.filter === undefined))
      ctx.addIssue({ code: 'custom', path: ['ids'], message: 'give either ids or filter (exactly one of them)' });
  });
const CaseParam = z.strictObject({ case: CaseRef });
const ReleaseCaseBody = z.strictObject({ reason: Reason });

const STAFF = ['admin', 'supervisor'] as const;

const refusal = (e: unknown): unknown =>
  e instanceof HoldRefused
    ? new ApiError({ 'not-found': 404, conflict: 409, 'too-many': 400 }[e.kind], e.kind, e.message)
    : e;

export function holdRoutes(routes: ApiRoutes, deps: ApiDeps): void {
  const { store, logger } = deps;
  routes.add(
    {
      method: 'post',
      path: '/holds',
      tag: 'holds',
      summary: 'Hold recordings under a case',
      roles: STAFF,
      body: HoldCaseBody,
      responses: {
        200: { description: '{ case, held, alreadyInCase, skipped: [{ id, why: held-elsewhere | purged }] }' },
        400: errorResponse('Bad case reference or selection, or too many recordings'),
        404: errorResponse('An id names no recording (nothing was held)'),
        409: errorResponse('Recordings changed meanwhile (nothing was held)'),
      },
    },
    async ({ body, actor, res }) => {
      const sel: HoldSelection = body.ids
        ? { ids: body.ids }
        : {
            filter: {
              ...body.filter,
              numbers: body.filter?.number ? storedForms(body.filter.number, deps.defaultCountry) : undefined,
            },
          };
      const reason = body.reason ?? `litigation hold, case ${body.case}`;
      const r = await store.holds.holdCase(body.case, sel, { reason, actor }).catch((e: unknown) => {
        throw refusal(e);
      });
      logger.info('recordings held under a case', { case: body.case, actor, held: r.held, skipped: r.skipped.length });
      res.json(r);
    },
  );

  routes.add(
    {
      method: 'get',
      path: '/holds',
      tag: 'holds',
      summary: 'List the cases with recordings on hold',
      roles: STAFF,
      responses: { 200: { description: '{ items: [{ case, recordings, firstHeldAt, lastHeldAt }] }' } },
    },
    async ({ res }) => {
      const items = await store.holds.cases();
      res.json({
        items: items.map((c) => ({
          ...c,
          firstHeldAt: c.firstHeldAt?.toISOString() ?? null,
          lastHeldAt: c.lastHeldAt?.toISOString() ?? null,
        })),
      });
    },
  );

  // Like a single release, admin only: a supervisor could otherwise lift a case and delete.
  routes.add(
    {
      method: 'post',
      path: '/holds/:case/release',
      tag: 'holds',
      summary: 'Release every recording held under a case',
      roles: ['admin'],
      params: CaseParam,
      body: ReleaseCaseBody,
      responses: {
        200: { description: '{ case, released }' },
        404: errorResponse('No recording is held under the case'),
        409: errorResponse('Recordings changed meanwhile (nothing was released)'),
      },
    },
    async ({ params, body, actor, res }) => {
      const released = await store.holds
        .releaseCase(params.case, { reason: body.reason, actor })
        .catch((e: unknown) => {
          throw refusal(e);
        });
      logger.info('case released', { case: params.case, actor, released });
      res.json({ case: params.case, released });
    },
  );
}
