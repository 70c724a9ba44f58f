// One JSON error shape for every failure: { error: <code>, message, fields? }. Codes are stable
// for clients; messages name the field and the problem.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../util/logger';

export interface FieldProblem { field: string; problem: string }

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly fields?: FieldProblem[]) {
    super(message);
    this.name = 'ApiError';
  }
}

export const notFound = (what = 'recording'): ApiError => new ApiError(404, 'not-found', `${what} not found`);

export const jsonNotFound: RequestHandler = (req, res) => {
  res.status(404).json({ error: 'not-found', message: `no route ${req.method} ${req.path}` });
};

interface BodyParserError { type?: string; status?: number; limit?: number }

/** Turns body-parser failures, ApiErrors and anything unexpected into the JSON error shape. */
export function jsonErrors(logger: Logger): ErrorRequestHandler {
  return (e: unknown, req, res, _next) => {
    const bp = e as BodyParserError;
    if (e instanceof ApiError) {
      res.status(e.status).json({ error: e.code, message: e.message, ...(e.fields ? { fields: e.fields } : {}) });
    } else if (bp.type === 'entity.too.large') {
      res.status(413).json({ error: 'body-too-large', message: `request body is larger than the ${bp.limit} bytes allowed` });
    } else if (bp.type === 'entity.parse.failed') {
      res.status(400).json({ error: 'malformed-json', message: 'request body is not valid JSON', fields: [{ field: 'body', problem: 'not valid JSON' }] });
    } else if (typeof bp.status === 'number' && bp.status >= 400 && bp.status < 500) {
      res.status(bp.status).json({ error: 'bad-request', message: (e as Error).message });
    } else {
      logger.error('API request failed', { method: req.method, path: req.path, error: e as Error });
      res.status(500).json({ error: 'internal', message: 'internal error; see the controller log' });
    }
  };
}
