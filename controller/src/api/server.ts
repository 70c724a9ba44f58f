// The HTTP side of the controller: health and readiness (unauthenticated), then the routers
// mounted by main (the API under /api, /metrics); anything else is a JSON 404.
import http from 'node:http';
import express, { type Express, type Router } from 'express';
import type { PbxStatus } from '../pbx/port';
import { jsonErrors, jsonNotFound } from './errors';
import type { Logger } from '../util/logger';

export interface HttpDeps {
  logger: Logger;
  /** Resolves when the database answers; rejects with the reason otherwise. */
  pingDb(): Promise<void>;
  pbxStatus(): PbxStatus;
  routers?: Array<{ path: string; router: Router }>;
}

export function createHttpApp(deps: HttpDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);

  app.get('/healthz', (_req, res) => { res.json({ status: 'ok' }); });

  // Ready = can take calls safely: the store answers. The PBX link is reported, not required,
  // so a load balancer does not pull the API while Asterisk restarts.
  app.get('/readyz', async (_req, res) => {
    let db = 'ok';
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([deps.pingDb(), new Promise((_, rej) => { timer = setTimeout(() => rej(new Error('timed out')), 2000); })]);
    } catch (e) {
      db = `unavailable: ${(e as Error).message}`;
    } finally {
      clearTimeout(timer);
    }
    const ready = db === 'ok';
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not-ready', db, pbx: deps.pbxStatus() });
  });

  for (const { path, router } of deps.routers ?? []) app.use(path, router);
  app.use(jsonNotFound);
  app.use(jsonErrors(deps.logger));
  return app;
}

export function listen(app: Express, host: string, port: number): Promise<http.Server> {
  return new Promise((resolve, reject) => {
    const server = http.createServer(app);
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

export function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections?.();
  });
}
