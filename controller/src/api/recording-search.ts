// GET /recordings: the search, its opaque paging cursor, and the audit row that says who searched
// for what (a number search is access to personal data).
import { ROLES } from '../domain/api-keys';
import type { Cursor } from '../store/search-repo';
import { recordingJson } from './access';
import type { ApiDeps } from './deps';
import { ApiError } from './errors';
import { storedForms } from './numbers';
import type { ApiRoutes } from './route';
import { errorResponse, jsonResponse, SearchPage, SearchQuery } from './schemas';

const encodeCursor = (c: Cursor): string =>
  Buffer.from(JSON.stringify([c.startedAt.getTime(), c.id])).toString('base64url');

function decodeCursor(s: string): Cursor {
  try {
    const v: unknown = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && Number.isSafeInteger(v[0]) && Number.isSafeInteger(v[1])) {
      return { startedAt: new Date(v[0] as number), id: v[1] as number };
    }
  } catch {
    /* reported below */
  }
  throw new ApiError(400, 'invalid-request', 'query.cursor: not a cursor this API issued', [
    { field: 'query.cursor', problem: 'not a cursor this API issued' },
  ]);
}

/** The filters a search named (validated already), without paging, as the audit row records them. */
function searchFilters(q: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(q))
    if (typeof v === 'string' && !['cursor', 'limit', 'sort'].includes(k)) out[k] = v;
  return out;
}

export function searchRoute(routes: ApiRoutes, deps: ApiDeps): void {
  const { store } = deps;
  routes.add(
    {
      method: 'get',
      path: '/recordings',
      tag: 'recordings',
      summary: 'Search recordings',
      roles: ROLES,
      query: SearchQuery,
      responses: {
        200: jsonResponse('One page, newest first unless sort=asc', SearchPage),
        400: errorResponse('A filter is invalid'),
      },
    },
    async ({ query, key, actor, req, res }) => {
      const agent = key.role === 'agent' ? (key.agent ?? '') : query.agent;
      // Who looked for what is audited like who listened: a number search is access to personal data.
      const audit = (results: number) =>
        store.events.append({
          callId: null,
          recordingId: null,
          type: 'searched',
          actor,
          detail: { filters: searchFilters(req.query), results },
        });
      if (key.role === 'agent' && query.agent !== undefined && query.agent !== key.agent) {
        await audit(0);
        res.json({ items: [], nextCursor: null });
        return;
      }
      const page = await store.search.search(
        { ...query, agent, numbers: query.number ? storedForms(query.number, deps.defaultCountry) : undefined },
        { limit: query.limit ?? 50, order: query.sort, ...(query.cursor ? { after: decodeCursor(query.cursor) } : {}) },
      );
      await audit(page.items.length);
      res.json({ items: page.items.map(recordingJson), nextCursor: page.next ? encodeCursor(page.next) : null });
    },
  );
}
