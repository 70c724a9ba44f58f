// The audit trail across recordings, admin only: who viewed, searched, listened, changed rules or
// keys, filtered by actor, action, recording and time, as JSON pages or one CSV export.
import { z } from 'zod';
import type { RecordingEventRecord } from '../domain/records';
import type { AuditFilter } from '../store/events-repo';
import type { ApiDeps } from './deps';
import type { ApiRoutes } from './route';
import { withoutServerPaths } from './public-paths';
import { errorResponse } from './schemas';

const isoDate = z.iso
  .datetime({ offset: true, error: 'must be an ISO 8601 date-time such as 2026-11-22T10:00:00Z' })
  .transform((s) => new Date(s));
const positive = z
  .string()
  .regex(/^[1-9]\d{0,15}$/, { error: 'must be a positive integer' })
  .transform(Number);

const AuditQuery = z.strictObject({
  actor: z
    .string()
    .min(1)
    .max(128)
    .optional()
    .meta({ description: 'A key id (digits), or an actor exactly as stored ("system", "retention", ...)' }),
  action: z.string().min(1).max(32).optional().meta({
    description:
      'Event type: viewed, searched, listened, downloaded, held, released, deleted, rules-changed, key-created, key-revoked, ...',
  }),
  recording: positive.optional(),
  from: isoDate.optional().meta({ description: 'At or after (inclusive)' }),
  to: isoDate.optional().meta({ description: 'Before (exclusive)' }),
  limit: z
    .string()
    .regex(/^\d{1,6}$/, { error: 'must be an integer from 1 to 100000' })
    .transform(Number)
    .refine((n) => n >= 1 && n <= 100_000, { error: 'must be an integer from 1 to 100000' })
    .optional()
    .meta({ description: 'Page size: 100 by default, at most 1000 for JSON; rows in a CSV export (10000 by default)' }),
  cursor: positive.optional().meta({ description: 'nextCursor of the previous page' }),
  format: z.enum(['json', 'csv']).default('json'),
});

const CSV_BATCH = 1000;

/** One CSV cell: quoted when needed, and a leading = + - @ defused so a spreadsheet shows text, not a formula. */
function cell(v: unknown): string {
  let s =
    v === null || v === undefined
      ? ''
      : v instanceof Date
        ? v.toISOString()
        : typeof v === 'object'
          ? JSON.stringify(v)
          : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const item = (e: RecordingEventRecord, root: string) => ({
  id: e.id,
  at: e.at.toISOString(),
  actor: e.actor,
  action: e.type,
  recordingId: e.recordingId,
  callId: e.callId,
  detail: withoutServerPaths(e.detail, root),
});

export function auditRoutes(routes: ApiRoutes, deps: ApiDeps): void {
  routes.add(
    {
      method: 'get',
      path: '/audit',
      tag: 'audit',
      summary: 'Read the audit trail',
      roles: ['admin'],
      query: AuditQuery,
      responses: {
        200: { description: 'Newest first: { items, nextCursor }, or text/csv with format=csv' },
        400: errorResponse('A filter is invalid'),
      },
    },
    async ({ query, res }) => {
      const byKey = query.actor !== undefined && /^\d+$/.test(query.actor);
      const f: AuditFilter = {
        ...(byKey ? { keyId: Number(query.actor) } : query.actor !== undefined ? { actor: query.actor } : {}),
        type: query.action,
        recordingId: query.recording,
        from: query.from,
        to: query.to,
      };
      if (query.format === 'json') {
        const limit = Math.min(query.limit ?? 100, 1000);
        const rows = await deps.store.events.query(f, limit + 1, query.cursor);
        const page = rows.slice(0, limit);
        res.json({
          items: page.map((e) => item(e, deps.recordingsDir)),
          nextCursor: rows.length > limit ? String(page[page.length - 1]?.id) : null,
        });
        return;
      }
      res.set({
        'Content-Type': 'text/csv; charset=utf-8',
        'Cache-Control': 'private, no-store',
        'Content-Disposition': `attachment; filename="callrec-audit-${new Date().toISOString().replace(/[:.]/g, '')}.csv"`,
      });
      res.write('id,at,actor,action,recording_id,call_id,detail\r\n');
      // Written in batches so a large export never sits in memory whole.
      let left = query.limit ?? 10_000;
      let before = query.cursor;
      while (left > 0) {
        const rows = await deps.store.events.query(f, Math.min(CSV_BATCH, left), before);
        for (const e of rows)
          res.write(
            `${[e.id, e.at, e.actor, e.type, e.recordingId, e.callId, withoutServerPaths(e.detail, deps.recordingsDir)].map(cell).join(',')}\r\n`,
          );
        if (rows.length < Math.min(CSV_BATCH, left)) break;
        left -= rows.length;
        before = rows[rows.length - 1]?.id;
      }
      res.end();
    },
  );
}
