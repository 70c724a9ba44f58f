// Bearer API keys. Failed attempts are rate-limited per client address (successful requests do
// not count), so a key cannot be guessed online; the limiter answers 429 in the JSON error shape.
import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { apiKeyMatches, apiKeyPrefix } from '../domain/api-keys';
import type { KeysRepo } from '../store/keys-repo';
import type { Logger } from '../util/logger';
import { ApiError } from './errors';

export interface AuthLimits { windowMs: number; failures: number }
export const DEFAULT_AUTH_LIMITS: AuthLimits = { windowMs: 15 * 60_000, failures: 30 };

export function authFailureLimiter(limits: AuthLimits): RequestHandler {
  return rateLimit({
    windowMs: limits.windowMs,
    limit: limits.failures,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    skipSuccessfulRequests: true,
    // Only a refused key counts as a failure; a 404 or 400 from a valid key does not.
    requestWasSuccessful: (_req, res) => res.statusCode !== 401,
    handler: (_req, res) => {
      res.status(429).json({ error: 'too-many-failures', message: 'too many failed authentication attempts; try again later' });
    },
  });
}

export function authenticate(keys: KeysRepo, logger: Logger): RequestHandler {
  return async (req, res, next) => {
    if (res.locals.apiKey) { next(); return; } // already authenticated by an audio token
    const header = req.get('authorization') ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m?.[1]) throw new ApiError(401, 'unauthorized', 'send an API key as "Authorization: Bearer <key>"');
    const token = m[1];
    const prefix = apiKeyPrefix(token);
    const found = prefix ? await keys.findActive(prefix) : null;
    if (!found || !apiKeyMatches(token, found.hash)) {
      logger.warn('API key refused', { prefix: prefix ?? '(malformed)', ip: req.ip });
      throw new ApiError(401, 'unauthorized', 'API key unknown or revoked');
    }
    res.locals.apiKey = found.key;
    // last_used_at is informative: a failure to write it must not fail the request.
    keys.touch(found.key.id).catch((e: unknown) => logger.warn('could not record key use', { prefix, error: e as Error }));
    next();
  };
}
