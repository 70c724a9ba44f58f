// The dashboard's files: served at / under a CSP of 'self' only, with the vendor modules rewritten
// to import each other by URL, and found from both the ts sources and dist/.
import path from 'node:path';
import { packageRoot } from '../../controller/src/api/web';
import { startApi, type ApiHarness } from '../helpers/api';

describe('dashboard files', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi('sqlite');
  });
  afterAll(async () => {
    await h.close();
  });

  it('serves index.html at / with a self-only CSP and revalidation', async () => {
    const res = await h.get('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(await res.text()).toContain('src="/app.js"');
  });

  it('serves preact, hooks and htm as ES modules with no bare specifier left', async () => {
    for (const f of ['preact.mjs', 'hooks.mjs', 'htm.mjs']) {
      const res = await h.get(`/vendor/${f}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('javascript');
      expect(await res.text()).not.toMatch(/from\s*["']preact["']/);
    }
    expect((await h.get('/vendor/other.mjs')).status).toBe(404);
  });

  it('serves the enums from the server schemas, and no key is needed for the static files', async () => {
    const enums = (await (await h.get('/enums.json')).json()) as {
      tiers: string[];
      recordModes: string[];
      userModes: string[];
    };
    expect(enums.tiers).toEqual(['standard', 'extended']);
    expect(enums.userModes).toEqual(['always', 'always-with-pause', 'on-demand']);
    expect(enums.recordModes).toContain('on-demand');
    expect((await h.get('/app.js')).status).toBe(200);
    expect((await h.get('/../package.json')).status).toBe(404);
  });

  it('finds the package root from the sources and from dist', () => {
    const root = path.resolve(__dirname, '..', '..');
    expect(packageRoot(path.join(root, 'controller', 'src', 'api'))).toBe(root);
    expect(packageRoot(path.join(root, 'dist', 'controller', 'src', 'api'))).toBe(root);
  });
});
