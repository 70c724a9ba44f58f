// The HTTP side of the controller: health and readiness (unauthenticated), then the routers
// mounted by main (the API under /api, /metrics); anything else is a JSON 404.
import http from 'node:http';
import express, { type Express, type Router } from 'express';
import type { TrustProxy } from '../config/types';
import type { PbxStatus } from '../pbx/port';
import { jsonErrors, jsonNotFound } from './errors';
import type { Logger } from '../util/logger';
import type { JournalStatus } from '../store/journal-file';

export interface HttpDeps {
  logger: Logger;
  /** Resolves when the database answers; rejects with the reason otherwise. */
  pingDb(): Promise<void>;
  pbxStatus(): PbxStatus;
  /** The local journal: call writes waiting for the database. */
  journal?(): JournalStatus;
  routers?: Array<{ path: string; router: Router }>;
  /** Express's `trust proxy`: off, a hop count, or the proxies' addresses (CALLREC_TRUST_PROXY). */
  trustProxy?: TrustProxy;
}

export function createHttpApp(deps: HttpDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // Client addresses feed the failed-login limiter: X-Forwarded-For is believed only from the
  // proxies this names, else anyone could claim a fresh address per guess.
  app.set('trust proxy', deps.trustProxy ?? false);

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  // Ready = can take calls safely: the store answers. The PBX link is reported, not required,
  // so a load balancer does not pull the API while Asterisk restarts. The answer is public: it
  // names the part that is down; the error (user, host, port) goes to the log and to doctor.
  let dbWasUp = true;
  app.get('/readyz', async (_req, res) => {
    let problem: Error | null = null;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        deps.pingDb(),
        new Promise((_, rej) => {
          timer = setTimeout(() => rej(new Error('timed out')), 2000);
        }),
      ]);
    } catch (e) {
      problem = e as Error;
    } finally {
      clearTimeout(timer);
    }
    if (problem && dbWasUp) deps.logger.warn('readiness: database unavailable', { error: problem });
    if (!problem && !dbWasUp) deps.logger.info('readiness: database reachable again');
    dbWasUp = !problem;
    const j = deps.journal?.();
    const journal = j ? { depth: j.depth, oldestAt: j.oldestAt?.toISOString() ?? null } : undefined;
    res.status(problem ? 503 : 200).json({
      status: problem ? 'not-ready' : 'ready',
      db: problem ? 'unavailable' : 'ok',
      pbx: deps.pbxStatus(),
      journal,
    });
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
