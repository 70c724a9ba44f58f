// The Rules tab and the recordings layout in a real headless Chromium, on a seeded MySQL store with
// real WAV files: effective rules read and edited in place, users and their modes added, edited and
// deleted (read only for supervisors), "try a call" answering from the gate's engine, YAML from the
// page, and a recording at its own address beside the list.
// CALLREC_SCREENSHOTS=docs also writes docs/dashboard-rules.png and docs/dashboard-recordings.png.
import fs from 'node:fs';
import type { Page } from 'playwright-core';
import type { RecordingRecord } from '../../controller/src/domain/records';
import type { ApiHarness } from '../helpers/api';
import { toneWav } from '../helpers/browser';
import { pageWidth, recordingRows, shot, startDashboard, type Dashboard } from '../helpers/dashboard';

let d: Dashboard;
let h: ApiHarness;
let spring: RecordingRecord;
let declined: RecordingRecord;
const resyncs: number[] = [];
const PBX_DIR = '/var/spool/asterisk/monitor/callrec';

beforeAll(async () => {
  d = await startDashboard({
    webhooks: {
      publish: async () => [],
      resync: async (id) => {
        resyncs.push(id);
        return { ok: true, value: [] };
      },
    },
  });
  h = d.h;
  const wav = toneWav(4);
  for (let i = 0; i < 3; i += 1) await h.addRecording({ file: wav });
  spring = await h.addRecording({ file: wav, campaign: 'spring', direction: 'outbound' });
  declined = await h.addRecording({ file: wav, agent: '202' });
  await h.db.knex('calls').where({ id: declined.callId }).update({ consent_outcome: 'declined' });
  // The timeline's `file` as the PBX wrote it: its own absolute path.
  await h.store.events.append({
    callId: spring.callId,
    recordingId: spring.id,
    type: 'started',
    actor: 'system',
    detail: { file: `${PBX_DIR}/${spring.filePath}` },
  });
  const admin = (method: string, p: string, body: unknown) => h.send(method, p, h.keys.admin, body);
  await admin('PUT', '/api/flows/sales', { description: 'Sales line', applets: { dial: { kind: 'dial' } } });
  await admin('PUT', '/api/campaigns/spring', { tier: 'extended' });
  await admin('PUT', '/api/users/201', { name: 'Ana (sales)', mode: 'always-with-pause' });
  await admin('PUT', '/api/users/305', { name: 'Cleo (support lead)', mode: 'on-demand', pause: false });
});

afterAll(async () => {
  await d?.close();
});

const rulesTab = async (key = h.keys.admin, width = 1280): Promise<Page> => {
  const page = await d.signIn(key, { width });
  await page.getByRole('button', { name: 'Rules' }).click();
  await page.getByRole('heading', { name: 'Flows and applet rules' }).waitFor();
  return page;
};
const cell = (page: Page, rule: string, field: string) =>
  page.locator(`tr[data-rule="${rule}"] td[data-field="${field}"]`);

describe('Rules tab in Chromium (MySQL store)', () => {
  it('reads the effective rule of sales/dial, sets its consent to opt-in, and try a call answers opt-in', async () => {
    const admin = await rulesTab();
    expect(await cell(admin, 'sales/dial', 'consent').innerText()).toMatch(/^announce\s+from account$/);
    expect(await cell(admin, 'sales/dial', 'record').innerText()).toMatch(/^from-answer\s+from account$/);
    expect(await cell(admin, 'campaign/spring', 'tier').innerText()).toBe('extended');

    await admin.getByRole('button', { name: 'Edit sales/dial' }).click();
    await admin.getByLabel('Consent of sales/dial').selectOption('opt-in');
    await admin.getByRole('button', { name: 'Save sales/dial' }).click();
    await admin.waitForFunction(
      () =>
        (
          globalThis as unknown as { document: { querySelector(s: string): { textContent: string } | null } }
        ).document.querySelector('tr[data-rule="sales/dial"] td[data-field="consent"]')?.textContent === 'opt-in',
    );
    expect((await h.store.rules.load()).flows.get('sales')?.applets.get('dial')?.rule).toEqual({ consent: 'opt-in' });

    await admin.getByLabel('Flow', { exact: true }).fill('sales');
    await admin.getByLabel('Applet', { exact: true }).fill('dial');
    await admin.getByLabel('From', { exact: true }).fill('2125550123');
    await admin.getByLabel('To', { exact: true }).fill('+12145550100');
    await admin.getByRole('button', { name: 'Try it' }).click();
    const consent = admin.locator('.try-answer dd[data-fact="consent"]');
    await consent.waitFor();
    expect(await consent.textContent()).toBe('opt-in');
    const reasons = await admin.locator('.try-answer .reasons li').allTextContents();
    expect(reasons[0]).toBe('applet rule "sales/dial" (dial) applies, over the flow default');
    expect(reasons[1]).toContain('consent opt-in');
    await admin.getByRole('heading', { name: 'Reasons' }).scrollIntoViewIfNeeded();
    await shot(admin, 'rules-try-call', 'dashboard-rules');
    // An agent who is a user: what their mode does when they answer, under the decision.
    await h.store.rules.putUser('777', { mode: 'always-with-pause' });
    await admin.getByLabel('Agent', { exact: true }).fill('777');
    await admin.getByRole('button', { name: 'Try it' }).click();
    const atAnswer = admin.locator('.try-at-answer [data-fact="at-answer"]');
    await atAnswer.waitFor();
    expect(await atAnswer.textContent()).toBe("the gate's recording goes on; pause allowed; standard tier");
    await h.store.rules.deleteUser('777');
  });

  it('names a bad try field beside it, disables and deletes a campaign, keyboard only', async () => {
    const admin = await rulesTab();
    await admin.getByLabel('Language').fill('english-please');
    await admin.getByRole('button', { name: 'Try it' }).click();
    await admin.locator('#try-language-error').waitFor();
    expect(await admin.getByLabel('Language').getAttribute('aria-describedby')).toBe('try-language-error');

    await h.send('PUT', '/api/campaigns/autumn', h.keys.admin, {});
    await admin.reload();
    await admin.getByRole('button', { name: 'Disable autumn' }).focus();
    await admin.keyboard.press('Enter');
    await admin.locator('tr[data-rule="campaign/autumn"] .badge').waitFor();
    expect((await h.store.rules.load()).campaigns.get('autumn')?.enabled).toBe(false);
    admin.once('dialog', (d) => void d.accept());
    await admin.getByRole('button', { name: 'Delete autumn' }).focus();
    await admin.keyboard.press('Enter');
    await admin.locator('tr[data-rule="campaign/autumn"]').waitFor({ state: 'detached' });
    expect((await h.store.rules.load()).campaigns.has('autumn')).toBe(false);
  });

  it('adds user 202, edits it in place, shows refusals under their field, and deletes 305', async () => {
    const admin = await rulesTab();
    const users = admin.getByRole('table', { name: 'Users and their recording modes' });
    const user = (id: string, field: string) => users.locator(`tr[data-user="${id}"] td[data-field="${field}"]`);
    await user('305', 'pause').waitFor();
    expect(await user('305', 'pause').textContent()).toBe('no');
    expect(await user('201', 'pause').textContent()).toBe('as the mode says: yes');
    const stored = async (id: string) => (await h.store.rules.load()).users.get(id);

    // An id the API refuses: its own words under the field, nothing stored, nothing typed lost.
    await admin.locator('#user-body-id').fill('20 2');
    await admin.locator('#user-body-mode').selectOption('always');
    await admin.locator('#user-body-tier').selectOption('extended');
    await admin.getByRole('button', { name: 'Add user' }).click();
    const idError = admin.locator('#user-body-id-error');
    await idError.waitFor();
    expect(await idError.textContent()).toContain('a user id is the agent id the PBX reports (202, alice@sales)');
    expect(await admin.locator('#user-body-id').getAttribute('aria-describedby')).toBe('user-body-id-error');
    expect(await stored('20 2')).toBeUndefined();
    await admin.locator('#user-body-id').fill('202');
    await admin.getByRole('button', { name: 'Add user' }).click();
    await user('202', 'mode').waitFor();
    expect(await user('202', 'mode').textContent()).toBe('always');
    expect(await user('202', 'pause').textContent()).toBe('as the mode says: no');
    expect(await user('202', 'tier').textContent()).toBe('extended');
    expect(await stored('202')).toEqual({ id: '202', name: null, mode: 'always', pause: null, tier: 'extended' });

    // In place: a name too long is refused under the name, the chosen mode kept; then it saves.
    await admin.getByRole('button', { name: 'Edit user 202' }).click();
    await admin.getByLabel('Name of user 202').fill('B'.repeat(129));
    await admin.getByLabel('Mode of user 202').selectOption('always-with-pause');
    await admin.getByRole('button', { name: 'Save user 202' }).click();
    const nameError = admin.locator('#user-edit-202-name-error');
    await nameError.waitFor();
    expect(await nameError.textContent()).toContain('128');
    expect(await admin.getByLabel('Name of user 202').getAttribute('aria-describedby')).toBe(
      'user-edit-202-name-error',
    );
    expect(await admin.getByLabel('Mode of user 202').inputValue()).toBe('always-with-pause');
    expect((await stored('202'))?.mode).toBe('always');
    await shot(admin, 'rules-user-refused');
    await admin.getByLabel('Name of user 202').fill('Ben (finance)');
    await admin.getByRole('button', { name: 'Save user 202' }).click();
    await user('202', 'mode')
      .filter({ hasText: /^always-with-pause$/ })
      .waitFor(); // once the list is read again
    expect(await user('202', 'pause').textContent()).toBe('as the mode says: yes');
    expect(await stored('202')).toEqual({
      id: '202',
      name: 'Ben (finance)',
      mode: 'always-with-pause',
      pause: null,
      tier: 'extended',
    });

    admin.once('dialog', (d) => void d.accept());
    await admin.getByRole('button', { name: 'Delete user 305' }).click();
    await users.locator('tr[data-user="305"]').waitFor({ state: 'detached' });
    expect(await (await h.send('GET', '/api/users', h.keys.admin)).json()).toEqual({
      items: [
        { id: '201', name: 'Ana (sales)', mode: 'always-with-pause' },
        { id: '202', name: 'Ben (finance)', mode: 'always-with-pause', tier: 'extended' },
      ],
    });
  });

  it('shows a supervisor the users on the Rules tab, read only, and an agent no Rules tab', async () => {
    const listed = (await (await h.send('GET', '/api/users', h.keys.admin)).json()) as { items: { id: string }[] };
    const supervisor = await d.signIn(h.keys.supervisor);
    await supervisor.getByRole('button', { name: 'Rules' }).click();
    const seen = supervisor.getByRole('table', { name: 'Users and their recording modes' });
    await seen.locator('tr[data-user="201"]').waitFor();
    expect(await seen.locator('tbody tr').evaluateAll((trs) => trs.map((t) => t.getAttribute('data-user')))).toEqual(
      listed.items.map((u) => u.id),
    );
    expect(await seen.locator('tr[data-user="201"] td[data-field="mode"]').textContent()).toBe('always-with-pause');
    expect(await supervisor.locator('main').locator('input, select, textarea, button').count()).toBe(0);
    expect(await supervisor.locator('main .notice.error').count()).toBe(0);
    await supervisor.getByText('on-demand: recorded only when the user asks (*44 or the API).').waitFor();
    await supervisor.getByText('Only an admin can add, change or delete a user.').waitFor();
    await shot(supervisor, 'rules-users-supervisor');

    // An agent has no Rules tab: its address lands on Recordings.
    const agent = await d.signIn(h.keys.agent, { at: '/#/rules' });
    await agent.waitForURL((url) => url.hash === '#/recordings');
    expect(await agent.getByRole('button', { name: 'Rules' }).count()).toBe(0);
  });

  it('exports flows.yaml and refuses a bad import with its line, importing nothing', async () => {
    const admin = await rulesTab();
    const [download] = await Promise.all([
      admin.waitForEvent('download'),
      admin.getByRole('button', { name: 'Export flows.yaml' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('flows.yaml');
    expect(fs.readFileSync(await download.path(), 'utf8')).toContain('dial:');
    await admin.getByLabel('YAML to import').fill('flows:\n  sales:\n    defaults:\n      recrod: off\n');
    admin.once('dialog', (d) => void d.accept());
    await admin.getByRole('button', { name: 'Import', exact: true }).click();
    await admin.locator('#yaml-problems').waitFor();
    expect(await admin.locator('#yaml-problems').textContent()).toContain(
      'flows.yaml:4:7: flows.sales.defaults.recrod: unknown setting "recrod"',
    );
    expect((await h.store.rules.load()).flows.get('sales')?.applets.has('dial')).toBe(true);
  });

  it('fits a 390 px phone without sideways scrolling', async () => {
    const admin = await rulesTab(h.keys.admin, 390);
    expect(await pageWidth(admin)).toBeLessThanOrEqual(390);
  });
});

describe('Recordings layout in Chromium (MySQL store)', () => {
  it('lands on a recording linked in a fresh tab after sign-in, beside the list', async () => {
    const admin = await d.signIn(h.keys.admin, { at: `/#/recordings/${spring.id}` });
    const heading = admin.getByRole('heading', { name: `Recording ${spring.id}` });
    await heading.waitFor();
    expect(new URL(admin.url()).hash).toBe(`#/recordings/${spring.id}`);
    await recordingRows(admin).first().waitFor();
    const list = (await admin.locator('.rec-list').boundingBox())!;
    const panel = (await admin.locator('.panel').boundingBox())!;
    expect(panel.x).toBeGreaterThanOrEqual(list.x + list.width);
    expect(panel.y).toBeLessThan(list.y + 50);

    // No absolute server path anywhere on the page: the timeline shows the stored relative path.
    await admin.getByRole('heading', { name: 'Timeline' }).waitFor();
    // The admin's audit trail of the recording mounts in the detail too, its paths made public as well.
    const trail = admin.getByRole('table', { name: `Audit trail of recording ${spring.id}` });
    await trail.locator('tbody tr').first().waitFor();
    expect(await trail.innerText()).toContain(spring.filePath.split('/').pop());
    const text = await admin.locator('body').innerText();
    expect(text).toContain(`file: ${spring.filePath}`);
    expect(text).not.toContain(PBX_DIR);
    expect(text).not.toContain(h.root);

    await admin.getByRole('button', { name: 'Resync' }).click();
    await admin.getByText('Webhook queued again.').waitFor();
    expect(resyncs).toContain(spring.id);
    await shot(admin, 'recordings-beside', 'dashboard-recordings');

    // Opening another row moves the address; closing goes back to the list's.
    await admin.getByRole('button', { name: `Open recording ${declined.id}` }).click();
    await admin.getByRole('heading', { name: `Recording ${declined.id}` }).waitFor();
    expect(new URL(admin.url()).hash).toBe(`#/recordings/${declined.id}`);
    await admin.getByRole('heading', { name: 'Timeline' }).waitFor();
    // Loaded, and in the same render the panel took the focus: an Escape now reaches it.
    expect(await admin.evaluate('document.activeElement?.id')).toBe('panel-h');
    await admin.keyboard.press('Escape');
    await admin.locator('.panel').waitFor({ state: 'detached' });
    expect(new URL(admin.url()).hash).toBe('#/recordings');
  });

  it('filters by campaign and by consent outcome', async () => {
    const supervisor = await d.signIn(h.keys.supervisor);
    const ids = async () => {
      await supervisor.waitForResponse((r) => r.url().includes('/api/recordings?'));
      await supervisor.waitForTimeout(50);
      return recordingRows(supervisor).evaluateAll((trs) => trs.map((t) => Number(t.getAttribute('data-id'))));
    };
    await recordingRows(supervisor).first().waitFor();
    await supervisor.getByLabel('Campaign').fill('spring');
    let found = ids();
    await supervisor.getByRole('button', { name: 'Search', exact: true }).click();
    expect(await found).toEqual([spring.id]);
    await supervisor.getByLabel('Campaign').fill('');
    await supervisor.getByLabel('Consent outcome').selectOption('declined');
    found = ids();
    await supervisor.getByRole('button', { name: 'Search', exact: true }).click();
    expect(await found).toEqual([declined.id]);
    // A supervisor may resync too.
    await supervisor.getByRole('button', { name: `Open recording ${declined.id}` }).click();
    await supervisor.getByRole('button', { name: 'Resync' }).waitFor();
  });

  it('opens the recording over the list on a 390 px phone, without sideways scrolling', async () => {
    const admin = await d.signIn(h.keys.admin, { at: `/#/recordings/${spring.id}`, width: 390 });
    await admin.getByRole('heading', { name: `Recording ${spring.id}` }).waitFor();
    const panel = (await admin.locator('.panel').boundingBox())!;
    expect(panel).toMatchObject({ x: 0, width: 390 });
    expect(await pageWidth(admin)).toBeLessThanOrEqual(390);
    await admin.getByRole('button', { name: 'Close' }).click();
    await recordingRows(admin).first().waitFor();
    expect(await pageWidth(admin)).toBeLessThanOrEqual(390);
  });
});
