// Litigation holds by case over HTTP: many recordings (chosen, or all results of a search) held
// under one case in one action, found by case, released as a whole by an admin only, all audited
// per recording, and never half done.
import { STORE_KINDS } from '../helpers/db';
import { apiForSuite } from '../helpers/api';

describe.each(STORE_KINDS)('holds by case on %s', (kind) => {
  const suite = apiForSuite(kind);
  let h = suite.h;
  let keyId = suite.keyId;
  beforeAll(() => {
    ({ h, keyId } = suite);
  });

  const post = async (p: string, body: unknown, key = h.keys.admin) => {
    const r = await h.send('POST', p, key, body);
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };
  const byCase = async (c: string) => {
    const r = await h.get(`/api/recordings?case=${encodeURIComponent(c)}&limit=200`, h.keys.supervisor);
    return ((await r.json()) as { items: Array<{ id: number; holdCase: string | null }> }).items;
  };

  it('holds every result of a search (more than a page) under a case, and finds them by case', async () => {
    const agent = 'h-search';
    const recs = [];
    for (let i = 0; i < 60; i += 1) recs.push(await h.addRecording({ agent }));
    const other = await h.addRecording({ agent: 'h-other' });
    const r = await post('/api/holds', { case: 'C-17', filter: { agent } }, h.keys.supervisor);
    expect(r).toEqual({ status: 200, body: { case: 'C-17', held: 60, alreadyInCase: 0, skipped: [] } });
    const found = await byCase('C-17');
    expect(found.map((x) => x.id).sort((a, b) => a - b)).toEqual(recs.map((x) => x.id));
    expect(found.every((x) => x.holdCase === 'C-17')).toBe(true);
    expect((await h.store.recordings.get(other.id))?.onHold).toBe(false);
    // Compared exactly on both stores: c-17 is not C-17.
    expect(await byCase('c-17')).toEqual([]);
    const events = await h.store.events.forRecording(recs[0]!.id);
    expect(events.filter((e) => e.type === 'held')).toEqual([
      expect.objectContaining({
        actor: `lead (supervisor, key ${keyId.lead})`,
        detail: { reason: 'litigation hold, case C-17', case: 'C-17' },
      }),
    ]);
    // Holding again is harmless; a recording held for something else is left where it is.
    const again = await post('/api/holds', { case: 'C-17', ids: [recs[0]!.id, other.id], reason: 'again' });
    expect(again.body).toEqual({ case: 'C-17', held: 1, alreadyInCase: 1, skipped: [] });
    const third = await post('/api/holds', { case: 'C-18', ids: [recs[1]!.id] });
    expect(third.body).toEqual({
      case: 'C-18',
      held: 0,
      alreadyInCase: 0,
      skipped: [{ id: recs[1]!.id, why: 'held-elsewhere' }],
    });
  });

  it('releases a case as a whole: admin only, with a reason, audited per recording', async () => {
    const a = await h.addRecording({ agent: 'h-rel' });
    const b = await h.addRecording({ agent: 'h-rel' });
    expect((await post('/api/holds', { case: 'LIT 2026/4', ids: [a.id, b.id] })).status).toBe(200);
    const path = `/api/holds/${encodeURIComponent('LIT 2026/4')}/release`;
    const sup = await post(path, { reason: 'settled' }, h.keys.supervisor);
    expect(sup.status).toBe(403);
    expect((await h.store.recordings.get(a.id))?.onHold).toBe(true);
    expect((await post(path, {})).body).toMatchObject({
      error: 'invalid-request',
      message: expect.stringContaining('body.reason'),
    });
    expect(await post(path, { reason: 'settled' })).toEqual({ status: 200, body: { case: 'LIT 2026/4', released: 2 } });
    for (const id of [a.id, b.id]) {
      const rec = await h.store.recordings.get(id);
      expect(rec).toMatchObject({ onHold: false, holdCase: null, holdReason: null });
      expect((await h.store.events.forRecording(id)).find((e) => e.type === 'released')).toMatchObject({
        actor: `ops (admin, key ${keyId.ops})`,
        detail: { reason: 'settled', case: 'LIT 2026/4', heldBy: `ops (admin, key ${keyId.ops})` },
      });
    }
    expect(await byCase('LIT 2026/4')).toEqual([]);
    expect((await post(path, { reason: 'again' })).status).toBe(404);
  });

  it('holds nothing when one id is unknown, and validates the case reference', async () => {
    const a = await h.addRecording({ agent: 'h-atomic' });
    const r = await post('/api/holds', { case: 'C-99', ids: [a.id, 987654321] });
    expect(r).toMatchObject({ status: 404, body: { message: 'no such recording: 987654321' } });
    expect((await h.store.recordings.get(a.id))?.onHold).toBe(false);
    expect((await h.store.events.forRecording(a.id)).some((e) => e.type === 'held')).toBe(false);

    const bad = async (body: unknown) => (await post('/api/holds', body)).body.message;
    expect(await bad({ case: '', ids: [a.id] })).toContain('body.case: is required');
    expect(await bad({ case: 'x'.repeat(65), ids: [a.id] })).toContain('body.case: must be at most 64 characters');
    expect(await bad({ case: 'C\u000017', ids: [a.id] })).toContain('body.case: must be printable');
    expect(await bad({ case: ' C-1', ids: [a.id] })).toContain('body.case: must be printable');
    expect(await bad({ case: 'C-1' })).toContain('body.ids: give either ids or filter');
    expect(await bad({ case: 'C-1', ids: [a.id], filter: {} })).toContain('give either ids or filter');
    expect(await bad({ case: 'C-1', filter: { colour: 'red' } })).toContain('body.filter');
    expect((await h.get('/api/recordings?case=%20x', h.keys.admin)).status).toBe(400);
    expect((await post('/api/holds', { case: 'C-1', ids: [a.id] }, h.keys.agent)).status).toBe(403);
  });

  it('keeps the single hold and release working, and lists the cases', async () => {
    const a = await h.addRecording({ agent: 'h-single' });
    expect((await post(`/api/recordings/${a.id}/hold`, { reason: 'one-off' }, h.keys.supervisor)).status).toBe(200);
    expect(await h.store.recordings.get(a.id)).toMatchObject({ onHold: true, holdCase: null });
    expect((await post(`/api/recordings/${a.id}/release`, { reason: 'done' })).status).toBe(200);
    const b = await h.addRecording({ agent: 'h-single' });
    await post('/api/holds', { case: 'C-LIST', ids: [b.id] });
    // A case-held recording released alone leaves its case.
    const list = (await (await h.get('/api/holds', h.keys.supervisor)).json()) as { items: Array<{ case: string }> };
    expect(list.items).toContainEqual(expect.objectContaining({ case: 'C-LIST', recordings: 1 }));
    expect((await post(`/api/recordings/${b.id}/release`, { reason: 'alone' })).status).toBe(200);
    expect((await h.store.recordings.get(b.id))?.holdCase).toBeNull();
    const released = (await h.store.events.forRecording(b.id)).find((e) => e.type === 'released');
    expect(released?.detail).toMatchObject({ case: 'C-LIST' });
  });

  it("holds a search's results by the call's consent outcome, and the search takes consent and case together", async () => {
    const agent = 'h-consent';
    const declined = [await h.addRecording({ agent }), await h.addRecording({ agent })];
    const accepted = await h.addRecording({ agent });
    await h.db
      .knex('calls')
      .whereIn(
        'id',
        declined.map((r) => r.callId),
      )
      .update({ consent_outcome: 'declined' });
    await h.db.knex('calls').where({ id: accepted.callId }).update({ consent_outcome: 'accepted' });
    const r = await post('/api/holds', { case: 'C-CONSENT', filter: { agent, consent: 'declined' } });
    expect(r.body).toMatchObject({ held: 2, skipped: [] });
    expect((await h.store.recordings.get(accepted.id))?.onHold).toBe(false);
    const both = await h.get('/api/recordings?case=C-CONSENT&consent=declined', h.keys.admin);
    const items = ((await both.json()) as { items: Array<{ id: number }> }).items.map((x) => x.id);
    expect(items.sort((a, b) => a - b)).toEqual(declined.map((x) => x.id));
    const none = await h.get('/api/recordings?case=C-CONSENT&consent=accepted', h.keys.admin);
    expect(((await none.json()) as { items: unknown[] }).items).toEqual([]);
  });
});
