// The API as express routers: /api (JSON, authenticated, OpenAPI-described) and /metrics.
import { OpenApiGeneratorV3 } from '@asteasolutions/zod-to-openapi';
import express, { Router } from 'express';
import helmet from 'helmet';
import { metricsRegistry, setRecordingStates } from '../metrics';
import { audioRoutes } from './audio';
import { audioTokenAuth, audioTokenRoutes, AudioTokens } from './audio-token';
import { authenticate, authFailureLimiter, DEFAULT_AUTH_LIMITS } from './auth';
import { callRoutes } from './calls';
import type { ApiDeps } from './deps';
import { ApiError, jsonErrors, jsonNotFound } from './errors';
import { keyRoutes, meRoute } from './keys';
import { recordingRoutes } from './recordings';
import { reportRoutes } from './reports';
import { ApiRoutes, keyOf } from './route';
import { ruleRoutes } from './rules';

export interface Api { routers: Array<{ path: string; router: Router }>; openapi: object }

export function createApi(deps: ApiDeps): Api {
  const routes = new ApiRoutes();
  recordingRoutes(routes, deps);
  audioRoutes(routes, deps);
  const tokens = new AudioTokens();
  audioTokenRoutes(routes, deps, tokens);
  callRoutes(routes, deps);
  reportRoutes(routes, deps);
  keyRoutes(routes, deps);
  meRoute(routes);
  ruleRoutes(routes, deps);
  routes.registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', description: 'callrec keys create' });
  const openapi = new OpenApiGeneratorV3(routes.registry.definitions).generateDocument({
    openapi: '3.0.3',
    info: { title: 'callrec API', version: '1', description: 'Find, play and manage call recordings. Every route needs an API key.' },
  });

  const limiter = authFailureLimiter(deps.authLimits ?? DEFAULT_AUTH_LIMITS);
  const guard = [limiter, authenticate(deps.store.keys, deps.logger)];

  const api = Router();
  api.use(helmet());
  api.use(express.json({ limit: deps.bodyLimitBytes }));
  // The token check sits between the limiter (a bad token counts as a failure) and the Bearer check.
  api.use(limiter, audioTokenAuth(tokens, deps.store.keys), authenticate(deps.store.keys, deps.logger));
  api.get('/openapi.json', (_req, res) => { res.json(openapi); });
  api.use(routes.router);
  api.use(jsonNotFound);
  api.use(jsonErrors(deps.logger));

  const metrics = Router();
  metrics.use(guard);
  metrics.get('/', async (_req, res) => {
    const key = keyOf(res);
    if (key.role === 'agent') throw new ApiError(403, 'forbidden', 'role agent may not read metrics');
    setRecordingStates(await deps.store.reports.countByState());
    res.set('Content-Type', metricsRegistry.contentType).send(await metricsRegistry.metrics());
  });
  metrics.use(jsonErrors(deps.logger));

  return { routers: [{ path: '/api', router: api }, { path: '/metrics', router: metrics }], openapi };
}
