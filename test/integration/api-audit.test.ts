// The audit trail covers reads and configuration, not only recording state: metadata views,
// searches, rules changes, key creation and revocation; an admin reads it across recordings,
// filtered, as JSON pages or CSV.
import { STORE_KINDS } from '../helpers/db';
import { apiForSuite, startApi } from '../helpers/api';
import { runCli } from '../helpers/cli';

interface AuditItem {
  id: number;
  at: string;
  actor: string;
  action: string;
  recordingId: number | null;
  callId: number | null;
  detail: Record<string, unknown> | null;
}
interface AuditPage {
  items: AuditItem[];
  nextCursor: string | null;
}

describe.each(STORE_KINDS)('audit on %s', (kind) => {
  const suite = apiForSuite(kind);
  let h = suite.h;
  let keyId = suite.keyId;
  beforeAll(() => {
    ({ h, keyId } = suite);
  });

  const audit = async (q: string, key = h.keys.admin) => {
    const r = await h.get(`/api/audit?${q}`, key);
    return { status: r.status, body: (await r.json()) as AuditPage };
  };

  it('audits metadata views and searches with the key that made them', async () => {
    const rec = await h.addRecording({ agent: '201' });
    expect((await h.get(`/api/recordings/${rec.id}`, h.keys.agent)).status).toBe(200);
    expect((await h.get('/api/recordings?number=4155550111&flow=sales', h.keys.supervisor)).status).toBe(200);
    const viewed = (await h.store.events.forRecording(rec.id)).filter((e) => e.type === 'viewed');
    expect(viewed).toEqual([expect.objectContaining({ actor: `alice (agent, key ${keyId.alice})` })]);
    const searched = await audit(`action=searched&actor=${keyId.lead}`);
    expect(searched.body.items).toEqual([
      expect.objectContaining({
        action: 'searched',
        actor: `lead (supervisor, key ${keyId.lead})`,
        recordingId: null,
        detail: expect.objectContaining({
          filters: { number: '4155550111', flow: 'sales' },
          results: expect.any(Number),
        }),
      }),
    ]);
  });

  it('audits rules changes and key revocation, not rules reads', async () => {
    expect((await h.send('PUT', '/api/flows/audited', h.keys.admin, { description: 'x' })).status).toBe(201);
    expect((await h.get('/api/flows/audited', h.keys.admin)).status).toBe(200);
    expect((await h.send('DELETE', '/api/flows/audited', h.keys.admin)).status).toBe(204);
    const rules = (await audit('action=rules-changed')).body.items;
    expect(rules.map((i) => i.detail)).toEqual([
      expect.objectContaining({ request: 'DELETE /api/flows/audited', status: 204 }),
      expect.objectContaining({ request: 'PUT /api/flows/audited', status: 201 }),
    ]);
    expect((await h.send('DELETE', `/api/keys/${keyId.bob}`, h.keys.admin)).status).toBe(204);
    expect((await audit('action=key-revoked')).body.items).toEqual([
      expect.objectContaining({
        actor: `ops (admin, key ${keyId.ops})`,
        detail: { keyId: keyId.bob, name: 'bob', role: 'agent' },
      }),
    ]);
  });

  it('filters by recording and time, pages with a cursor, and is admin-only', async () => {
    const rec = await h.addRecording();
    for (let i = 0; i < 3; i += 1) await h.get(`/api/recordings/${rec.id}`, h.keys.supervisor);
    const all = (await audit(`recording=${rec.id}`)).body.items;
    expect(all.map((i) => i.action)).toEqual(['viewed', 'viewed', 'viewed']);
    const first = await audit(`recording=${rec.id}&limit=2`);
    expect(first.body.items).toHaveLength(2);
    const rest = await audit(`recording=${rec.id}&limit=2&cursor=${first.body.nextCursor}`);
    expect([...first.body.items, ...rest.body.items].map((i) => i.id)).toEqual(all.map((i) => i.id));
    expect(rest.body.nextCursor).toBeNull();
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await audit(`recording=${rec.id}&from=${encodeURIComponent(future)}`)).body.items).toEqual([]);
    expect((await audit(`recording=${rec.id}&to=${encodeURIComponent(future)}`)).body.items).toHaveLength(3);
    expect((await audit('', h.keys.supervisor)).status).toBe(403);
    expect((await audit('actor=x%27%20or%201=1')).body.items).toEqual([]);
    expect((await audit('recording=abc')).status).toBe(400);
  });

  it('exports CSV with one header row, quoted cells, and no spreadsheet formulas', async () => {
    const rec = await h.addRecording();
    await h.send('POST', `/api/recordings/${rec.id}/hold`, h.keys.admin, { reason: 'case "7", part 2' });
    await h.store.events.append({
      callId: rec.callId,
      recordingId: rec.id,
      type: 'listened',
      actor: '=HYPERLINK("http://x")',
      detail: null,
    });
    const r = await h.get(`/api/audit?recording=${rec.id}&format=csv`, h.keys.admin);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(r.headers.get('content-disposition')).toMatch(/attachment; filename="callrec-audit-.*\.csv"/);
    const lines = (await r.text()).trim().split('\r\n');
    expect(lines[0]).toBe('id,at,actor,action,recording_id,call_id,detail');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^\d+,[^,]+Z,"'=HYPERLINK\(""http:\/\/x""\)",listened,/);
    expect(lines[2]).toContain(
      `,"ops (admin, key ${keyId.ops})",held,${rec.id},${rec.callId},"{""reason"":""case \\""7\\"", part 2""}"`,
    );
  });
});

describe.each(STORE_KINDS)('key creation audit on %s', (kind) => {
  it('writes a key-created event naming who ran the CLI', async () => {
    const h = await startApi(kind);
    try {
      const env = { CALLREC_DB_URL: h.dbUrl, CALLREC_RECORDINGS_DIR: h.root };
      const r = await runCli(['keys', 'create', '--role', 'supervisor', '--name', 'night-shift'], env);
      expect(r.code).toBe(0);
      const id = (await h.store.keys.byName('night-shift'))?.id;
      expect((await runCli(['keys', 'revoke', String(id)], env)).code).toBe(0);
      const page = (await (await h.get('/api/audit?action=key-created', h.keys.admin)).json()) as AuditPage;
      expect(page.items).toEqual([
        expect.objectContaining({
          actor: expect.stringMatching(/^cli \(.+\)$/),
          detail: { keyId: id, name: 'night-shift', role: 'supervisor', agent: null },
        }),
      ]);
      const revoked = (await (await h.get('/api/audit?action=key-revoked', h.keys.admin)).json()) as AuditPage;
      expect(revoked.items).toEqual([expect.objectContaining({ detail: expect.objectContaining({ keyId: id }) })]);
    } finally {
      await h.close();
    }
  });
});
