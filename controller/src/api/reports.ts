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

const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;

export function reportRoutes(routes: ApiRoutes, deps: ApiDeps): void {
  routes.add(
    {
      method: 'get',
      path: '/reports/storage',
      tag: 'reports',
      summary: 'Storage usage per month and tier',
      roles: ['admin', 'supervisor'],
      query: UsageQuery,
      responses: { 200: { description: 'Minutes, bytes, count and cost per month and tier, with totals' } },
    },
    async ({ query, res }) => {
      const rows = await deps.store.reports.storageUsage(query);
      const rate = deps.costPerMinute;
      const items = rows.map((r) => {
        const minutes = r.durationMs / 60_000;
        return {
          month: r.month,
          tier: r.tier,
          count: r.count,
          minutes: round(minutes),
          bytes: r.bytes,
          cost: round(minutes * rate),
        };
      });
      const sum = (k: 'count' | 'bytes') => rows.reduce((a, r) => a + r[k], 0);
      const minutes = rows.reduce((a, r) => a + r.durationMs, 0) / 60_000;
      res.json({
        costPerMinute: rate,
        items,
        totals: { count: sum('count'), minutes: round(minutes), bytes: sum('bytes'), cost: round(minutes * rate) },
      });
    },
  );

  routes.add(
    {
      method: 'get',
      path: '/reports/retention-runs',
      tag: 'reports',
      summary: 'Recent retention runs',
      roles: ['admin', 'supervisor'],
      query: RunsQuery,
      responses: { 200: { description: 'Newest first' } },
    },
    async ({ query, res }) => {
      res.json({ items: await deps.store.reports.retentionRuns(query.limit ?? 50) });
    },
  );
}
