// The dashboard in a real headless Chromium against the API on a seeded MySQL store with real WAV
// files, encrypted at rest as in production: what each role sees, search, play/seek/speed/download,
// hold and delete, live calls, rules.
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { downloadName } from '../../controller/src/api/files';
import type { RecordingRecord } from '../../controller/src/domain/records';
import type { ApiHarness } from '../helpers/api';
import { toneWav } from '../helpers/browser';
import { pageWidth, recordingRows as rows, shot, startDashboard, type Dashboard } from '../helpers/dashboard';

let d: Dashboard;
let h: ApiHarness;
let mine: RecordingRecord;
let other: RecordingRecord;
let wav: Buffer;

beforeAll(async () => {
  d = await startDashboard();
  h = d.h;
  wav = toneWav(8);
  // Numbers are stored in E.164 (as the gate normalizes them); agent 202 shares a caller with 201.
  mine = await h.addRecording({ agent: '201', fromNumber: '+12125550199', toNumber: '+13105550100', file: wav });
  await h.addRecording({ agent: '201', fromNumber: '+14155550111', file: wav });
  other = await h.addRecording({ agent: '202', fromNumber: '+12125550199', file: wav });
  await h.addRecording({ agent: '202', fromNumber: '+16175550122', file: wav, tier: 'extended' });
  await d.encryptAll();
});

afterAll(async () => {
  await d?.close();
});

const signIn = (key: string) => d.signIn(key);
// Predicates run in the page as functions: a string would be eval'd there, which the CSP forbids.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type InPage = { document: { querySelector(s: string): any; querySelectorAll(s: string): { length: number } } };
const audioProp = (page: Page, prop: string) => page.evaluate<number>(`document.querySelector('audio').${prop}`);

// Each test signs in its own page, so they pass in any order (jest --randomize).
describe('dashboard in Chromium (MySQL store)', () => {
  it('signs an agent in with the key in session storage only, and lists only their recordings', async () => {
    const agent = await signIn(h.keys.agent);
    await rows(agent).first().waitFor();
    expect(await rows(agent).count()).toBe(2);
    expect(await agent.locator('table.recordings tbody td:nth-child(5)').allTextContents()).toEqual(['201', '201']);
    expect(agent.url()).not.toContain(h.keys.agent);
    expect(await agent.evaluate<string | null>('sessionStorage.getItem("callrec.apiKey")')).toBe(h.keys.agent);
    // An agent gets no Rules or Reports tab.
    expect(await agent.getByRole('button', { name: 'Rules' }).count()).toBe(0);
    await shot(agent, 'recordings-agent');
  });

  it('finds the E.164-stored recording from a national-format number', async () => {
    const agent = await signIn(h.keys.agent);
    await agent.getByLabel('Number').fill('(212) 555-0199');
    await agent.getByRole('button', { name: 'Search', exact: true }).click();
    await agent.waitForFunction(
      () => (globalThis as unknown as InPage).document.querySelectorAll('table.recordings tbody tr').length === 1,
    );
    expect(await rows(agent).first().getAttribute('data-id')).toBe(String(mine.id));
    expect(await rows(agent).first().textContent()).toContain('+12125550199');
  });

  it('plays and seeks with Range requests (206), changes speed, downloads under the documented name', async () => {
    const agent = await signIn(h.keys.agent);
    const statuses: number[] = [];
    agent.on('response', (r) => {
      if (r.url().includes('/audio?token=')) statuses.push(r.status());
    });
    await agent.getByRole('button', { name: `Open recording ${mine.id}` }).click();
    await agent.locator('audio').waitFor();
    await agent.waitForFunction(
      () => (globalThis as unknown as InPage).document.querySelector('audio').readyState >= 1,
    );
    expect(await audioProp(agent, 'duration')).toBeCloseTo(8, 0);
    await agent.evaluate(`document.querySelector('audio').play().catch(() => {})`);
    await agent.evaluate(`document.querySelector('audio').currentTime = 5`);
    await agent.waitForFunction(
      () => (globalThis as unknown as InPage).document.querySelector('audio').currentTime >= 5,
    );
    expect(await audioProp(agent, 'currentTime')).toBeGreaterThanOrEqual(5);
    expect(statuses).toContain(206);
    expect(statuses.every((s) => s === 200 || s === 206)).toBe(true);

    // The rate settles after the select's change reaches the player (a render away).
    const rateIs = (r: number) =>
      agent.waitForFunction(
        (want) => (globalThis as unknown as InPage).document.querySelector('audio').playbackRate === want,
        r,
      );
    await agent.getByLabel('Speed').selectOption('1.5');
    await rateIs(1.5);
    await agent.getByLabel('Speed').selectOption('0.75');
    await rateIs(0.75);
    expect(await audioProp(agent, 'playbackRate')).toBe(0.75);

    const [download] = await Promise.all([
      agent.waitForEvent('download'),
      agent.getByRole('button', { name: 'Download' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(downloadName(mine));
    expect(download.suggestedFilename()).toMatch(/^\d{14}-\+12125550199-\+13105550100-\d+\.wav$/);
    // What the player and the download got is the WAV; what is on disk is not.
    expect(fs.readFileSync(await download.path()).equals(wav)).toBe(true);
    const stored = (await h.store.recordings.get(mine.id))!;
    expect(fs.readFileSync(path.join(h.root, stored.filePath)).subarray(0, 4).toString()).toBe('CRAE');
    // Each request was audited with the agent as actor, key never in the URL.
    const events = await h.store.events.forRecording(mine.id);
    expect(events.some((e) => e.type === 'listened' && e.actor === 'alice (agent, key 3)')).toBe(true);
    expect(events.some((e) => e.type === 'downloaded')).toBe(true);
    await agent.getByRole('heading', { name: 'Timeline' }).waitFor();
    await shot(agent, 'recording-details');
  });

  it('refuses delete while on hold (disabled, with the reason) and deletes after release', async () => {
    const admin = await signIn(h.keys.admin);
    await admin.getByRole('button', { name: `Open recording ${other.id}` }).click();
    await admin.getByLabel('Hold reason').fill('case 2026-114');
    await admin.getByRole('button', { name: 'Hold', exact: true }).click();
    const del = admin.getByRole('button', { name: 'Delete' });
    await admin.getByText('release it before deleting').waitFor();
    expect(await del.isDisabled()).toBe(true);
    expect((await h.send('DELETE', `/api/recordings/${other.id}`, h.keys.admin, {})).status).toBe(409);
    await shot(admin, 'recording-on-hold');

    // A supervisor sees the hold but no way to lift it (the API refuses it too: 403).
    const supervisor = await signIn(h.keys.supervisor);
    await supervisor.getByRole('button', { name: `Open recording ${other.id}` }).click();
    await supervisor.getByText('Only an admin can release a hold.').waitFor();
    expect(await supervisor.getByRole('button', { name: 'Release hold' }).count()).toBe(0);

    await admin.getByLabel('Release reason').fill('case 2026-114 closed');
    await admin.getByRole('button', { name: 'Release hold' }).click();
    await admin.waitForFunction(
      () => !(globalThis as unknown as InPage).document.querySelector('button.danger').disabled,
    );
    admin.once('dialog', (d) => {
      void d.accept();
    });
    await del.click();
    await admin.getByText(/Purged/).waitFor();
    expect((await h.store.recordings.get(other.id))?.state).toBe('purged');
    expect((await h.store.events.forRecording(other.id)).find((e) => e.type === 'released')?.detail).toMatchObject({
      reason: 'case 2026-114 closed',
    });
  });

  it('shows live calls as they come and pauses/resumes one through the PBX control', async () => {
    const agent = await signIn(h.keys.agent);
    h.live.add(7, '201');
    await agent.getByRole('button', { name: 'Calls in progress' }).click();
    await agent.locator('tr[data-call="7"] .rec-state[data-state="recording"]').waitFor();
    h.live.add(8, '201'); // appears on the next poll, without a reload
    h.live.add(9, '202'); // another agent's: never shown
    await agent.locator('tr[data-call="8"]').waitFor({ timeout: 6000 });
    expect(await agent.locator('tr[data-call="9"]').count()).toBe(0);

    await agent.getByRole('button', { name: 'Pause recording of call 7' }).click();
    await agent.locator('tr[data-call="7"] .rec-state[data-state="paused"]').waitFor();
    await agent.getByRole('button', { name: 'Resume recording of call 7' }).click();
    await agent.locator('tr[data-call="7"] .rec-state[data-state="recording"]').waitFor();
    expect(h.live.actions.map((a) => [a.callId, a.action, a.actor])).toEqual([
      [7, 'pause', 'alice (agent, key 3)'],
      [7, 'resume', 'alice (agent, key 3)'],
    ]);

    h.live.failWith = { kind: 'pbx', detail: 'AMI is not connected' };
    await agent.getByRole('button', { name: 'Pause recording of call 8' }).click();
    await agent.getByText('AMI is not connected').waitFor();
    h.live.failWith = null;
    await shot(agent, 'live-calls');
  });

  // Until the rules repository lands, the rules routes validate only their path names (bodies are
  // passed through to a 501), so the bad value here is the flow's name: a 400 naming params.flow.
  it("shows the API's field error under the field of a bad rule edit", async () => {
    const admin = await signIn(h.keys.admin);
    await admin.getByRole('button', { name: 'Rules' }).click();
    const name = admin.locator('#flow-params-flow');
    await name.fill('sales floor!');
    await admin.getByRole('button', { name: 'Save flow' }).click();
    const error = admin.locator('#flow-params-flow-error');
    await error.waitFor();
    expect(await error.textContent()).toContain('must be 1-64 letters');
    expect(await name.getAttribute('aria-describedby')).toBe('flow-params-flow-error');
    await shot(admin, 'rules');
    await admin.getByRole('button', { name: 'Reports' }).click();
    await admin.getByRole('heading', { name: 'Storage per month and tier' }).waitFor();
    await admin.locator('.chart .bar').first().waitFor();
    await shot(admin, 'reports');

    // A phone: the page itself never scrolls sideways (wide tables scroll in their own box).
    await admin.setViewportSize({ width: 390, height: 844 });
    await admin.getByRole('button', { name: 'Recordings' }).click();
    await rows(admin).first().waitFor();
    expect(await pageWidth(admin)).toBeLessThanOrEqual(390);
    await shot(admin, 'recordings-phone');
  });
});
