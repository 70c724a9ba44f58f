// One JSON error shape for every failure: { error: <code>, message, fields? }. Codes are stable
// for clients; messages name the field and the problem.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { isDbUnavailable } from '../store/db';
import type { Logger } from '../util/logger';

export interface FieldProblem {
  field: string;
  problem: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields?: FieldProblem[],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const notFound = (what = 'recording'): ApiError => new ApiError(404, 'not-found', `${what} not found`);

export const jsonNotFound: RequestHandler = (req, res) => {
  res.status(404).json({ error: 'not-found', message: `no route ${req.method} ${req.path}` });
};

const BODY_PROBLEMS: Record<string, string> = {
  'charset.unsupported': 'unsupported charset; send UTF-8 JSON',
  'encoding.unsupported': 'unsupported content encoding; send identity, gzip or deflate',
  'request.aborted': 'request aborted',
  'request.size.invalid': 'request size did not match Content-Length',
};

interface BodyParserError {
  type?: string;
  status?: number;
  limit?: number;
}

export const DB_RETRY_AFTER_S = 5;
const DB_LOG_EVERY_MS = 60_000;
// Per logger, shared by the routers it serves: while the database is away every request fails the
// same way, and one line a minute says so.
const dbLogged = new WeakMap<Logger, number>();

function dbUnavailable(logger: Logger, e: unknown): void {
  const last = dbLogged.get(logger) ?? 0;
  if (Date.now() - last < DB_LOG_EVERY_MS) return;
  dbLogged.set(logger, Date.now());
  logger.warn('API: database unreachable, answering 503', { error: e as Error });
}

/** Turns body-parser failures, ApiErrors and anything unexpected into the JSON error shape. */
export function jsonErrors(logger: Logger): ErrorRequestHandler {
  return (e: unknown, req, res, _next) => {
    const bp = e as BodyParserError;
    if (isDbUnavailable(e)) {
      dbUnavailable(logger, e);
      res
        .status(503)
        .set('Retry-After', String(DB_RETRY_AFTER_S))
        .json({ error: 'db-unavailable', message: `the database is unavailable; try again in ${DB_RETRY_AFTER_S} s` });
    } else if (e instanceof ApiError) {
      res.status(e.status).json({ error: e.code, message: e.message, ...(e.fields ? { fields: e.fields } : {}) });
    } else if (bp.type === 'entity.too.large') {
      res
        .status(413)
        .json({ error: 'body-too-large', message: `request body is larger than the ${bp.limit} bytes allowed` });
    } else if (bp.type === 'entity.parse.failed') {
      res.status(400).json({
        error: 'malformed-json',
        message: 'request body is not valid JSON',
        fields: [{ field: 'body', problem: 'not valid JSON' }],
      });
    } else if (typeof bp.status === 'number' && bp.status >= 400 && bp.status < 500) {
      // body-parser's own messages quote the request's headers: answer in our words only.
      res
        .status(bp.status)
        .json({ error: 'bad-request', message: BODY_PROBLEMS[bp.type ?? ''] ?? 'request body refused' });
    } else {
      logger.error('API request failed', { method: req.method, path: req.path, error: e as Error });
      res.status(500).json({ error: 'internal', message: 'internal error; see the controller log' });
    }
  };
}
