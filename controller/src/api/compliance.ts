// The compliance report: per flow and UTC month of the call, calls by consent outcome, recordings
// paused, recordings purged by reason. For admins and supervisors, like every report.
import type { ComplianceCount } from '../store/compliance-repo';
import type { ApiDeps } from './deps';
import type { ApiRoutes } from './route';
import { CONSENT_OUTCOMES, errorResponse, SearchQuery } from './schemas';

/** The purge reasons as the report groups them: a deletion's own wording stays in the audit trail. */
export function purgeCategory(reason: string | null): string {
  if (reason === null) return 'unknown';
  if (reason === 'retention expired') return 'retention expired';
  if (reason.startsWith('deleted early')) return 'deleted early';
  return reason.split(':')[0]?.trim() || 'unknown';
}

interface Row {
  month: string;
  flow: string | null;
  calls: number;
  consent: Record<string, number>;
  paused: number;
  purged: Record<string, number>;
}

function merge(counts: { consent: ComplianceCount[]; paused: ComplianceCount[]; purged: ComplianceCount[] }): Row[] {
  const rows = new Map<string, Row>();
  const at = (c: ComplianceCount): Row => {
    const id = JSON.stringify([c.month, c.flow]);
    let r = rows.get(id);
    if (!r) rows.set(id, (r = { month: c.month, flow: c.flow, calls: 0, consent: {}, paused: 0, purged: {} }));
    return r;
  };
  for (const c of counts.consent) {
    const r = at(c);
    r.calls += c.count;
    const k = c.key ?? 'none';
    r.consent[k] = (r.consent[k] ?? 0) + c.count;
  }
  for (const c of counts.paused) at(c).paused += c.count;
  for (const c of counts.purged) {
    const r = at(c);
    const k = purgeCategory(c.key);
    r.purged[k] = (r.purged[k] ?? 0) + c.count;
  }
  return [...rows.values()].sort(
    (a, b) => a.month.localeCompare(b.month) || (a.flow ?? '').localeCompare(b.flow ?? ''),
  );
}

export function complianceRoutes(routes: ApiRoutes, deps: ApiDeps): void {
  routes.add(
    {
      method: 'get',
      path: '/reports/compliance',
      tag: 'reports',
      summary: 'Consent outcomes, pauses and purges per flow and month',
      roles: ['admin', 'supervisor'],
      query: SearchQuery.pick({ from: true, to: true }),
      responses: {
        200: {
          description:
            '{ outcomes, purgeReasons, items: [{ month, flow, calls, consent: { outcome: n }, paused, purged: { reason: n } }] }',
        },
        400: errorResponse('A bad from or to'),
      },
    },
    async ({ query, res }) => {
      const items = merge(await deps.store.compliance.counts(query));
      const extra = new Set(items.flatMap((i) => Object.keys(i.consent)));
      for (const o of CONSENT_OUTCOMES) extra.delete(o);
      res.json({
        outcomes: [...CONSENT_OUTCOMES, ...extra],
        purgeReasons: [...new Set(items.flatMap((i) => Object.keys(i.purged)))].sort(),
        items,
      });
    },
  );
}
