// What an attack review found in the API, each on both stores: deep bodies, echoed input,
// lockouts by failed logins, holds released by the wrong role, readiness leaking details.
import { STORE_KINDS } from '../helpers/db';
import { startApi, type ApiHarness } from '../helpers/api';

interface ErrorBody {
  error: string;
  message: string;
  fields?: Array<{ field: string; problem: string }>;
}

describe.each(STORE_KINDS)('API hardening on %s', (kind) => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi(kind, { bodyLimitBytes: 102_400 });
  });
  afterAll(async () => {
    await h.close();
  });

  it.each([64, 5000, 15000])('refuses a rules body nested %d levels deep with 400, changing nothing', async (depth) => {
    const deep = '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
    const r = await h.send('PUT', '/api/flows/deep', h.keys.admin, `{"defaults":{"record":${deep}}}`);
    expect(r.status).toBe(400);
    const body = (await r.json()) as ErrorBody;
    expect(body.error).toMatch(/too-deep|invalid-request/);
    expect(JSON.stringify(body).length).toBeLessThan(600);
    expect((await h.get('/api/flows/deep', h.keys.admin)).status).toBe(404);
  });

  it('accepts an ordinary nested rules body', async () => {
    const r = await h.send('PUT', '/api/flows/shallow', h.keys.admin, {
      defaults: { greeting: { en: 'custom/a' } },
      applets: { dial: { kind: 'dial', greeting: { en: 'x' } } },
    });
    expect(r.status).toBe(201);
  });

  it('echoes no more than a short, sanitized excerpt of bad input', async () => {
    const long = `<script>\u0000\u001b[31m${'A'.repeat(5000)}`;
    const r = await h.send('PUT', '/api/flows/echo', h.keys.admin, {
      defaults: { record: long },
      [`k${'k'.repeat(3000)}\n`]: 1,
    });
    expect(r.status).toBe(400);
    const text = await r.text();
    expect(text.length).toBeLessThan(800);
    expect(text).not.toMatch(/A{100}|k{100}/);
    expect(text).not.toMatch(/\\u0000|\\u001b|\\n/);
    const body = JSON.parse(text) as ErrorBody;
    expect(body.fields?.map((f) => f.field)).toEqual(expect.arrayContaining(['body.defaults.record']));
    expect(body.message).toMatch(/is not one of off, from-ringing/);
  });

  it('caps the problems listed for a body with thousands of unknown fields', async () => {
    const many = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`f${i}`, i]));
    const r = await h.send('PUT', '/api/flows/many', h.keys.admin, many);
    expect(r.status).toBe(400);
    expect((await r.text()).length).toBeLessThan(3000);
  });

  it('does not echo a bad charset back', async () => {
    const r = await fetch(h.url('/api/flows/x'), {
      method: 'PUT',
      headers: { Authorization: `Bearer ${h.keys.admin}`, 'Content-Type': 'application/json; charset=evil<script>' },
      body: '{}',
    });
    expect(r.status).toBe(415);
    expect(await r.text()).not.toMatch(/script/i);
  });
});

describe.each(STORE_KINDS)('litigation holds on %s', (kind) => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi(kind);
  });
  afterAll(async () => {
    await h.close();
  });

  it("lets a supervisor hold but not release an admin's hold, so they cannot then delete it", async () => {
    const rec = await h.addRecording();
    expect((await h.send('POST', `/api/recordings/${rec.id}/hold`, h.keys.admin, { reason: 'case 7' })).status).toBe(
      200,
    );
    const r = await h.send('POST', `/api/recordings/${rec.id}/release`, h.keys.supervisor, { reason: 'done' });
    expect(r.status).toBe(403);
    expect((await h.send('DELETE', `/api/recordings/${rec.id}`, h.keys.supervisor, {})).status).toBe(409);
    expect((await h.store.recordings.get(rec.id))?.onHold).toBe(true);
    const other = await h.addRecording();
    expect(
      (await h.send('POST', `/api/recordings/${other.id}/hold`, h.keys.supervisor, { reason: 'case 8' })).status,
    ).toBe(200);
  });

  it('releases only with a reason, and audits the reason with the earlier hold', async () => {
    const rec = await h.addRecording();
    await h.send('POST', `/api/recordings/${rec.id}/hold`, h.keys.supervisor, { reason: 'case 9' });
    const bare = await h.send('POST', `/api/recordings/${rec.id}/release`, h.keys.admin, {});
    expect(bare.status).toBe(400);
    expect(await bare.json()).toMatchObject({ fields: [{ field: 'body.reason' }] });
    expect(
      (await h.send('POST', `/api/recordings/${rec.id}/release`, h.keys.admin, { reason: 'case 9 closed' })).status,
    ).toBe(200);
    const released = (await h.store.events.forRecording(rec.id)).find((e) => e.type === 'released');
    expect(released?.detail).toMatchObject({ reason: 'case 9 closed', heldReason: 'case 9' });
    expect(released?.actor).toMatch(/^ops \(admin/);
  });
});

describe.each(STORE_KINDS)('failed-login limiter on %s', (kind) => {
  const limits = { windowMs: 60_000, failures: 5 };
  const BAD = 'crk_000000000000_wrongwrongwrongwrongwrongwrongwrongwrongwro';
  const as = (h: ApiHarness, key: string, from?: string) =>
    h.get('/api/recordings', key, from ? { 'X-Forwarded-For': from } : {});

  it('never refuses a valid key, however many refused keys came from its address', async () => {
    const h = await startApi(kind, { authLimits: limits });
    try {
      for (let i = 0; i < 5; i += 1) expect((await as(h, BAD)).status).toBe(401);
      expect((await as(h, BAD)).status).toBe(429);
      expect((await as(h, h.keys.agent)).status).toBe(200);
      expect((await h.get('/metrics', h.keys.admin)).status).toBe(200);
      expect((await as(h, BAD)).status).toBe(429);
    } finally {
      await h.close();
    }
  });

  it('counts clients behind a trusted proxy by their forwarded address, and ignores the header otherwise', async () => {
    const behind = await startApi(kind, { authLimits: limits }, { trustProxy: 'loopback' });
    const direct = await startApi(kind, { authLimits: limits });
    try {
      for (let i = 0; i < 6; i += 1) await as(behind, BAD, '198.51.100.7');
      expect((await as(behind, BAD, '198.51.100.7')).status).toBe(429);
      expect((await as(behind, BAD, '198.51.100.8')).status).toBe(401);
      for (let i = 0; i < 6; i += 1) await as(direct, BAD, '198.51.100.7');
      expect((await as(direct, BAD, '198.51.100.8')).status).toBe(429);
    } finally {
      await behind.close();
      await direct.close();
    }
  });
});
