// The compliance side of the dashboard in Chromium, on MySQL with real WAV files encrypted at rest:
// 30 recordings held under case C-17 in one action and found by case, a supervisor refused the
// release, the audit trail page with its CSV export, the compliance report, and a month erase.
// CALLREC_SCREENSHOTS=docs writes the pages' screenshots into docs/ as well.
import fs from 'node:fs';
import type { Page } from 'playwright-core';
import { keyIdsByName, type ApiHarness } from '../helpers/api';
import { toneWav } from '../helpers/browser';
import { SEEDED_OUTCOMES, seedConsentCalls } from '../helpers/compliance';
import { pageWidth, shot, startDashboard, type Dashboard } from '../helpers/dashboard';

const CASE_AGENT = '301'; // the 30 recordings the search finds
const PHONE = { width: 390, height: 844 };

let d: Dashboard;
let h: ApiHarness;
let keyId: Record<string, number>;

beforeAll(async () => {
  d = await startDashboard();
  h = d.h;
  keyId = await keyIdsByName(h);
  const wav = toneWav(2);
  for (let i = 0; i < 30; i += 1) await h.addRecording({ agent: CASE_AGENT, flow: 'claims', file: wav });
  for (let i = 0; i < 3; i += 1) await h.addRecording({ agent: '302', flow: 'claims', file: wav });
  await seedConsentCalls(h, 'sales', wav);
  for (let i = 0; i < 2; i += 1)
    await h.addRecording({ agent: '303', flow: 'pilot', startedAt: new Date(Date.UTC(2024, 5, 10 + i)), file: wav });
  await d.encryptAll();
}, 60_000);

afterAll(async () => {
  await d?.close();
});

// Predicates run in the page as functions: a string would be eval'd there, which the CSP forbids.
type InPage = { document: { querySelectorAll(s: string): { length: number } } };
/** Waits until the table shows `n` rows (at least `n` with atLeast). */
const waitRows = (page: Page, table: string, n: number, atLeast = false) =>
  page.waitForFunction(
    ([sel, want, min]) => {
      const got = (globalThis as unknown as InPage).document.querySelectorAll(`${sel} tbody tr`).length;
      return min ? got >= want : got === want;
    },
    [table, n, atLeast] as const,
  );
const caseHeld = async () => (await h.store.holds.cases()).find((c) => c.case === 'C-17')?.recordings ?? 0;
/** Each test stands alone (jest --randomize): the hold is placed through the API if that test has not run. */
async function ensureC17(): Promise<void> {
  if ((await caseHeld()) === 30) return;
  const r = await h.send('POST', '/api/holds', h.keys.admin, { case: 'C-17', filter: { agent: CASE_AGENT } });
  expect(r.status).toBe(200);
}

/** Searches by one filter (Enter in its field) and waits for the page of `count` rows. */
async function search(page: Page, label: string, value: string, count: number): Promise<void> {
  await page.getByRole('button', { name: 'Clear' }).click();
  await page.getByLabel(label, { exact: true }).fill(value);
  await Promise.all([
    page.waitForResponse((r) => r.url().includes(`=${encodeURIComponent(value)}`)),
    page.getByLabel(label, { exact: true }).press('Enter'),
  ]);
  await waitRows(page, 'table.recordings', count);
}

describe('dashboard compliance in Chromium (MySQL store)', () => {
  it('holds the 30 results of a search under case C-17 in one action, and the search by case finds 30', async () => {
    const admin = await d.signIn(h.keys.admin);
    await search(admin, 'Agent', CASE_AGENT, 25); // one page shows 25: the hold takes all 30
    await admin.getByLabel('Hold under case').fill('C-17');
    await admin.getByRole('button', { name: 'Hold all results of this search' }).click();
    await admin.getByText(/under case C-17/).waitFor();
    expect(await caseHeld()).toBe(30);

    // Ticking rows by keyboard holds just those, under another case.
    await search(admin, 'Agent', '302', 3);
    await admin
      .getByLabel(/^Select recording/)
      .first()
      .focus();
    await admin.keyboard.press('Space');
    await admin.getByLabel('Hold under case').fill('C-18');
    await admin.getByRole('button', { name: 'Hold selected (1)' }).click();
    await admin.getByText('Held 1 under case C-18.').waitFor();

    await search(admin, 'Case', 'C-17', 25);
    await admin.getByRole('button', { name: 'Next page' }).click();
    await waitRows(admin, 'table.recordings', 5);
    await admin.locator('summary', { hasText: 'Cases on hold' }).click();
    await admin.getByRole('cell', { name: 'C-17', exact: true }).waitFor();
    await shot(admin, 'holds', 'dashboard-holds');
    await admin.setViewportSize(PHONE);
    expect(await pageWidth(admin)).toBeLessThanOrEqual(PHONE.width);
  });

  it('refuses a supervisor the release of case C-17, in the page and in the API', async () => {
    await ensureC17();
    const supervisor = await d.signIn(h.keys.supervisor);
    await supervisor.locator('summary', { hasText: 'Cases on hold' }).click();
    await supervisor.getByRole('cell', { name: 'C-17', exact: true }).waitFor();
    await supervisor.getByText('Only an admin can release a case.').first().waitFor();
    expect(await supervisor.getByRole('button', { name: 'Release case C-17' }).count()).toBe(0);
    const r = await h.send('POST', '/api/holds/C-17/release', h.keys.supervisor, { reason: 'settled' });
    expect(r.status).toBe(403);
    expect(await caseHeld()).toBe(30);
  });

  it("lists the holds on the audit page with the actor's key id, and exports them as CSV", async () => {
    await ensureC17();
    const admin = await d.signIn(h.keys.admin);
    const urls: string[] = [];
    admin.on('request', (r) => urls.push(r.url()));
    await admin.getByRole('button', { name: 'Audit trail' }).click();
    await admin.getByRole('heading', { name: 'Audit trail', level: 1 }).waitFor();
    // By keyboard: fill the filters, Enter submits.
    await admin.getByLabel('Actor or key id').fill(String(keyId.ops));
    await admin.getByLabel('Action').fill('held');
    await admin.getByLabel('Action').press('Enter');
    await waitRows(admin, 'table.audit', 30, true);
    const texts = await admin.locator('table.audit tbody tr').allTextContents();
    expect(texts.filter((t) => t.includes('case: C-17') && t.includes(`ops (admin, key ${keyId.ops})`))).toHaveLength(
      30,
    );
    await shot(admin, 'audit', 'dashboard-audit');

    const [download] = await Promise.all([
      admin.waitForEvent('download'),
      admin.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^callrec-audit-.*\.csv$/);
    const csv = fs
      .readFileSync(await download.path(), 'utf8')
      .trim()
      .split('\r\n');
    expect(csv[0]).toBe('id,at,actor,action,recording_id,call_id,detail');
    const held = csv.filter((l) => l.includes(`"ops (admin, key ${keyId.ops})",held`) && l.includes('C-17'));
    expect(held).toHaveLength(30);
    expect(urls.some((u) => u.includes(h.keys.admin))).toBe(false);

    await admin.setViewportSize(PHONE);
    expect(await pageWidth(admin)).toBeLessThanOrEqual(PHONE.width);
  });

  it('shows the consent outcomes of the seeded calls in the compliance report', async () => {
    const supervisor = await d.signIn(h.keys.supervisor);
    await supervisor.getByRole('button', { name: 'Reports' }).click();
    const row = supervisor.locator('table.compliance tbody tr[data-flow="sales"][data-month="2025-03"]');
    await row.waitFor();
    for (const [outcome, n] of Object.entries(SEEDED_OUTCOMES))
      expect(await row.locator(`td[data-outcome="${outcome}"]`).textContent()).toBe(String(n));
    expect(await row.locator('td').nth(2).textContent()).toBe('9');
    await supervisor.locator('.chart .bar').first().waitFor();
    await shot(supervisor, 'compliance', 'dashboard-compliance');
    await supervisor.setViewportSize(PHONE);
    expect(await pageWidth(supervisor)).toBeLessThanOrEqual(PHONE.width);
    // Only an admin erases a month.
    expect(await supervisor.getByRole('heading', { name: 'Erase a month' }).count()).toBe(0);
  });

  it('erases a month only once the admin has typed it again', async () => {
    const admin = await d.signIn(h.keys.admin, PHONE);
    await admin.getByRole('button', { name: 'Reports' }).click();
    await admin.getByLabel('Month', { exact: true }).fill('2024-06');
    await admin.getByLabel('Reason').fill('end of the pilot');
    const erase = admin.getByRole('button', { name: 'Erase 2024-06' });
    expect(await erase.isDisabled()).toBe(true);
    await admin.getByLabel('Type the month again to confirm').fill('2024-07');
    expect(await erase.isDisabled()).toBe(true);
    await admin.getByLabel('Type the month again to confirm').fill('2024-06');
    await admin.getByLabel('Type the month again to confirm').press('Enter');
    await admin.getByText(/Purged 2 recordings of 2024-06/).waitFor();
    expect(await pageWidth(admin)).toBeLessThanOrEqual(PHONE.width);
  });
});
