// The dashboard's e2e set-up, shared by every dashboard test: the API on a MySQL store with
// encryption at rest (as in production), a real headless Chromium, pages signed in with a role's key
// (optionally at a deep link), the screenshots, and the checks every dashboard test shares.
import crypto from 'node:crypto';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import type { ApiDeps } from '../../controller/src/api/deps';
import { AtRestWorker } from '../../controller/src/recordings/at-rest-worker';
import { Keyring, masterKeyId } from '../../controller/src/recordings/keyring';
import { silentLogger } from '../../controller/src/util/logger';
import { startApi, type ApiHarness } from './api';
import { ARTIFACTS, launchChromium, type TestBrowser } from './browser';

export interface SignInOptions {
  /** Where the fresh tab opens, e.g. `/#/recordings/42` (default `/`). */
  at?: string;
  /** The h1 to wait for once signed in (default Recordings). */
  heading?: string;
  width?: number;
  height?: number;
}

export interface Dashboard {
  h: ApiHarness;
  tb: TestBrowser;
  /** Encrypts every recording added so far, as the at-rest worker does after each call. */
  encryptAll(): Promise<void>;
  /** A fresh browser context (nothing in session storage) opened at `at`, signed in with `key`. */
  signIn(key: string, opts?: SignInOptions): Promise<Page>;
  close(): Promise<void>;
}

/** `over` replaces API dependencies (e.g. webhooks) on top of the test defaults and the keyring. */
export async function startDashboard(over: Partial<ApiDeps> = {}): Promise<Dashboard> {
  const tb = await launchChromium();
  const master = crypto.randomBytes(32);
  const keyring = new Keyring(() => [{ id: masterKeyId(master), key: master }]);
  const h = await startApi('mysql', { keyring, ...over });
  const contexts: BrowserContext[] = [];
  return {
    h,
    tb,
    async encryptAll() {
      await new AtRestWorker({ store: h.store, root: h.root, keyring, workers: 2, logger: silentLogger() }).reconcile();
    },
    async signIn(key, opts = {}) {
      const viewport = { width: opts.width ?? 1280, height: opts.height ?? 860 };
      const context = await tb.browser.newContext({ viewport, acceptDownloads: true });
      contexts.push(context);
      const page = await context.newPage();
      page.setDefaultTimeout(10_000); // a missing element fails naming its locator, well before jest's 30 s
      await page.goto(h.url(opts.at ?? '/'));
      await page.getByLabel('API key').fill(key);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: opts.heading ?? 'Recordings', level: 1 }).waitFor();
      return page;
    },
    async close() {
      for (const c of contexts) await c.close();
      await tb.close();
      await h.close();
    },
  };
}

/** Into test-artifacts/ always; into CALLREC_SCREENSHOTS (e.g. docs) as `docsName` when set. */
export async function shot(page: Page, name: string, docsName?: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
  const dir = process.env.CALLREC_SCREENSHOTS;
  if (dir && docsName) await page.screenshot({ path: path.resolve(dir, `${docsName}.png`), fullPage: true });
}

export const recordingRows = (page: Page) => page.locator('table.recordings tbody tr');

/** The page itself never scrolls sideways (wide tables scroll in their own box). */
export const pageWidth = (page: Page) => page.evaluate<number>('document.documentElement.scrollWidth');
