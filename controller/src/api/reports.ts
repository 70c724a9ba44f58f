// Reports: storage usage per month and tier with a cost, and the retention runs.
import { z } from 'zod';
import type { ApiDeps } from './deps';
import type { ApiRoutes } from './route';
import { SearchQuery } from './schemas';

const UsageQuery = SearchQuery.pick({ from: true, to: true });
const RunsQuery = z.strictObject({
  limit: z
    .string()
    .regex(/^\d{1,3}$/, { error: 'must be an integer from 1 to 500' })
    .transform(Number)
    .refine((n) => n >= 1 && n <= 500, { error: 'must be an integer from 1 to 500' })
    .optional(),
});

/** Every report: read-only, for admins and supervisors. */
const REPORT = { method: 'get', tag: 'reports', roles: ['admin', 'supervisor'] } as const;

const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;

/**
 * A row of the storage report (one month and tier, or the totals) in minutes, with its cost when a
 * price per minute is set: with none, a cost of 0 would read as "free", so there is no cost at all.
 */
function priced(u: { count: number; durationMs: number; bytes: number }, ratePerMinute: number | null) {
  const minutes = u.durationMs / 60_000;
  const row = { count: u.count, minutes: round(minutes), bytes: u.bytes };
  return ratePerMinute === null ? row : { ...row, cost: round(minutes * ratePerMinute) };
}

export function reportRoutes(routes: ApiRoutes, deps: ApiDeps): void {
  routes.add(
    {
      ...REPORT,
      path: '/reports/storage',
      summary: 'Storage usage per month and tier',
      query: UsageQuery,
      responses: {
        200: {
          description:
            'Minutes, bytes and count per month and tier, with totals; a cost too when costPerMinute is set (null otherwise)',
        },
      },
    },
    async ({ query, res }) => {
      const rows = await deps.store.reports.storageUsage(query);
      const rate = deps.costPerMinute > 0 ? deps.costPerMinute : null;
      const sum = (k: 'count' | 'durationMs' | 'bytes') => rows.reduce((a, r) => a + r[k], 0);
      res.json({
        costPerMinute: rate,
        items: rows.map((r) => ({ month: r.month, tier: r.tier, ...priced(r, rate) })),
        totals: priced({ count: sum('count'), durationMs: sum('durationMs'), bytes: sum('bytes') }, rate),
      });
    },
  );

  routes.add(
    {
      ...REPORT,
      path: '/reports/retention-runs',
      summary: 'Recent retention runs',
      query: RunsQuery,
      responses: { 200: { description: 'Newest first' } },
    },
    async ({ query, res }) => {
      res.json({ items: await deps.store.retentionRuns.recent(query.limit ?? 50) });
    },
  );
}
