// The API as express routers: /api (JSON, authenticated, OpenAPI-described) and /metrics.
import { OpenApiGeneratorV3 } from '@asteasolutions/zod-to-openapi';
import express, { Router, type RequestHandler } from 'express';
import helmet from 'helmet';
import { jsonDepthExceeds } from '../domain/excerpt';
import { encryptionBacklog, metricsRegistry, setRecordingStates } from '../metrics';
import { auditRoutes } from './audit';
import { audioRoutes } from './audio';
import { audioTokenAuth, audioTokenRoutes, AudioTokens } from './audio-token';
import { authFailureLimiter, authGuard, DEFAULT_AUTH_LIMITS } from './auth';
import { callRoutes } from './calls';
import { complianceRoutes } from './compliance';
import type { ApiDeps } from './deps';
import { ApiError, jsonErrors, jsonNotFound } from './errors';
import { holdRoutes } from './holds';
import { keyRoutes, meRoute } from './keys';
import { recordingRoutes } from './recordings';
import { reportRoutes } from './reports';
import { ApiRoutes, keyOf } from './route';
import { ruleRoutes } from './rules';

// No route takes a body deeper than a handful of levels; deeper input would only reach zod's and
// JSON.stringify's recursion (a RangeError, once a 500).
const MAX_BODY_DEPTH = 32;
const refuseDeepBodies: RequestHandler = (req, _res, next) => {
  if (jsonDepthExceeds(req.body, MAX_BODY_DEPTH)) {
    throw new ApiError(400, 'too-deep', `request body is nested deeper than ${MAX_BODY_DEPTH} levels`, [
      { field: 'body', problem: `nested deeper than ${MAX_BODY_DEPTH} levels` },
    ]);
  }
  next();
};

export interface Api {
  routers: Array<{ path: string; router: Router }>;
  openapi: object;
}

export function createApi(deps: ApiDeps): Api {
  const routes = new ApiRoutes((e) => deps.store.events.append(e), deps.logger);
  recordingRoutes(routes, deps);
  audioRoutes(routes, deps);
  const tokens = new AudioTokens();
  audioTokenRoutes(routes, deps, tokens);
  callRoutes(routes, deps);
  reportRoutes(routes, deps);
  complianceRoutes(routes, deps);
  holdRoutes(routes, deps);
  keyRoutes(routes, deps);
  meRoute(routes);
  ruleRoutes(routes, deps);
  auditRoutes(routes, deps);
  routes.registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'callrec keys create',
  });
  const openapi = new OpenApiGeneratorV3(routes.registry.definitions).generateDocument({
    openapi: '3.0.3',
    info: {
      title: 'callrec API',
      version: '1',
      description: 'Find, play and manage call recordings. Every route needs an API key.',
    },
  });

  const limiter = authFailureLimiter(deps.authLimits ?? DEFAULT_AUTH_LIMITS);

  const api = Router();
  api.use(helmet());
  api.use(express.json({ limit: deps.bodyLimitBytes }), refuseDeepBodies);
  // An audio token, when the request has one, decides instead of the Bearer key.
  api.use(authGuard(deps.store.keys, deps.logger, limiter, [audioTokenAuth(tokens, deps.store.keys)]));
  api.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  api.use(routes.router);
  api.use(jsonNotFound);
  api.use(jsonErrors(deps.logger));

  const metrics = Router();
  metrics.use(authGuard(deps.store.keys, deps.logger, limiter));
  metrics.get('/', async (_req, res) => {
    const key = keyOf(res);
    if (key.role === 'agent') throw new ApiError(403, 'forbidden', 'role agent may not read metrics');
    setRecordingStates(await deps.store.reports.countByState());
    encryptionBacklog.set(await deps.store.atRest.backlogCount());
    res.set('Content-Type', metricsRegistry.contentType).send(await metricsRegistry.metrics());
  });
  metrics.use(jsonErrors(deps.logger));

  return {
    routers: [
      { path: '/api', router: api },
      { path: '/metrics', router: metrics },
    ],
    openapi,
  };
}
