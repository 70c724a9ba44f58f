// Bearer API keys. Refused keys are rate-limited per client address, so keys cannot be guessed
// online; a valid key is never refused by the limiter (an unauthenticated client sharing an
// address, or a proxy, with real users must not lock them out). The limiter answers 429 in the
// JSON error shape.
import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { apiKeyMatches, apiKeyPrefix } from '../domain/api-keys';
import type { KeysRepo } from '../store/keys-repo';
import type { Logger } from '../util/logger';
import { ApiError } from './errors';

export interface AuthLimits {
  windowMs: number;
  failures: number;
}
export const DEFAULT_AUTH_LIMITS: AuthLimits = { windowMs: 15 * 60_000, failures: 30 };

/** Counts and, past the limit, refuses requests that carry no valid key; a valid one is skipped. */
export function authFailureLimiter(limits: AuthLimits): RequestHandler {
  return rateLimit({
    windowMs: limits.windowMs,
    limit: limits.failures,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    skip: (_req, res) => res.locals.apiKey !== undefined,
    // Anyone can send X-Forwarded-For; CALLREC_TRUST_PROXY decides whether it counts, and a
    // client's header must not make the library print a stack trace to the console.
    validate: { xForwardedForHeader: false },
    handler: (_req, res) => {
      res
        .status(429)
        .json({ error: 'too-many-failures', message: 'too many failed authentication attempts; try again later' });
    },
  });
}

/**
 * Looks up the Bearer key and leaves the answer in res.locals (apiKey, or authRefusal) without
 * refusing: the limiter runs next, then requireKey refuses.
 */
export function identify(keys: KeysRepo, logger: Logger): RequestHandler {
  return async (req, res, next) => {
    if (res.locals.apiKey || res.locals.authRefusal) {
      next();
      return;
    } // an audio token decided
    const header = req.get('authorization') ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m?.[1]) {
      res.locals.authRefusal = new ApiError(401, 'unauthorized', 'send an API key as "Authorization: Bearer <key>"');
      next();
      return;
    }
    const token = m[1];
    const prefix = apiKeyPrefix(token);
    const found = prefix ? await keys.findActive(prefix) : null;
    if (!found || !apiKeyMatches(token, found.hash)) {
      logger.warn('API key refused', { prefix: prefix ?? '(malformed)', ip: req.ip });
      res.locals.authRefusal = new ApiError(401, 'unauthorized', 'API key unknown or revoked');
      next();
      return;
    }
    res.locals.apiKey = found.key;
    // last_used_at is informative: a failure to write it must not fail the request.
    keys
      .touch(found.key.id)
      .catch((e: unknown) => logger.warn('could not record key use', { prefix, error: e as Error }));
    next();
  };
}

export const requireKey: RequestHandler = (_req, res, next) => {
  if (res.locals.apiKey) {
    next();
    return;
  }
  throw (res.locals.authRefusal as ApiError | undefined) ?? new ApiError(401, 'unauthorized', 'an API key is required');
};

/** identify, limit, require: the guard in front of every authenticated router (one limiter for all of them). */
export function authGuard(
  keys: KeysRepo,
  logger: Logger,
  limiter: RequestHandler,
  before: RequestHandler[] = [],
): RequestHandler[] {
  return [...before, identify(keys, logger), limiter, requireKey];
}
