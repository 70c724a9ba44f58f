// The dashboard: static files from controller/src/web (no build step) and the three ES modules it
// imports (preact, preact/hooks, htm) from node_modules, same origin as the API, under a CSP that
// allows only 'self'. The files are read from the source folder in both runs (ts under jest,
// dist/ under npm start), found from the package root, so nothing needs copying into dist.
import fs from 'node:fs';
import path from 'node:path';
import express, { Router } from 'express';
import helmet from 'helmet';
import { CONSENT_OUTCOMES, DIRECTIONS, RECORDING_STATES, TIERS } from './schemas';
import { CONSENT_MODES, RECORD_MODES, USER_MODES } from '../policy/rules';

export function packageRoot(from = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'controller', 'src', 'web')))
      return dir;
    if (path.dirname(dir) === dir) throw new Error(`dashboard files not found above ${from}`);
  }
}

/** preact/hooks imports the bare specifier "preact", which a browser resolves only through an
 * import map (an inline script the CSP forbids): point it at the served file instead. */
function vendorFiles(root: string): Map<string, string> {
  const read = (p: string) => fs.readFileSync(path.join(root, 'node_modules', p), 'utf8');
  return new Map([
    ['preact.mjs', read('preact/dist/preact.mjs')],
    ['hooks.mjs', read('preact/hooks/dist/hooks.mjs').replace(/from\s*["']preact["']/g, 'from"./preact.mjs"')],
    ['htm.mjs', read('htm/dist/htm.module.js')],
  ]);
}

export function webRouter(root = packageRoot()): Router {
  const dir = path.join(root, 'controller', 'src', 'web');
  const vendor = vendorFiles(root);
  const enums = JSON.stringify({
    recordModes: RECORD_MODES,
    consentModes: CONSENT_MODES,
    tiers: TIERS,
    userModes: USER_MODES,
    directions: DIRECTIONS,
    states: RECORDING_STATES,
    consentOutcomes: CONSENT_OUTCOMES,
  });
  const r = Router();
  r.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'"],
          mediaSrc: ["'self'"],
          connectSrc: ["'self'"],
          fontSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
        },
      },
    }),
  );
  r.get('/vendor/:file', (req, res, next) => {
    const body = vendor.get(req.params.file);
    if (body === undefined) {
      next();
      return;
    }
    res.type('text/javascript').set('Cache-Control', 'public, max-age=86400').send(body);
  });
  r.get('/enums.json', (_req, res) => {
    res.type('application/json').set('Cache-Control', 'no-cache').send(enums);
  });
  // no-cache (revalidate with ETag) rather than a long max-age: the files are not fingerprinted,
  // and an upgrade must not leave a browser on the old dashboard against the new API.
  r.use(
    express.static(dir, {
      index: 'index.html',
      etag: true,
      lastModified: true,
      setHeaders: (res) => res.set('Cache-Control', 'no-cache'),
    }),
  );
  return r;
}
