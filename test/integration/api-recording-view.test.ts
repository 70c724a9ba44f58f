// What the recordings API shows: the consent-outcome filter, and no absolute server path anywhere
// (the timeline's `file` is the PBX's own path; the audit trail carries the same detail).
import { startApi, type ApiHarness } from '../helpers/api';
import { STORE_KINDS } from '../helpers/db';

describe.each(STORE_KINDS)('recordings view API on %s', (kind) => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi(kind);
  });
  afterAll(async () => {
    await h.close();
  });
  const json = async (p: string) => (await (await h.get(p, h.keys.admin)).json()) as Record<string, unknown>;

  it('filters by the call consent outcome, and refuses an unknown outcome by name', async () => {
    const declined = await h.addRecording({ campaign: 'spring' });
    await h.db.knex('calls').where({ id: declined.callId }).update({ consent_outcome: 'declined' });
    const announced = await h.addRecording({ campaign: 'spring' });
    const ids = async (q: string) =>
      ((await json(`/api/recordings?${q}`)).items as Array<{ id: number }>).map((r) => r.id);
    expect(await ids('consent=declined')).toEqual([declined.id]);
    expect(await ids('consent=announced&campaign=spring')).toEqual([announced.id]);
    const bad = await h.get('/api/recordings?consent=maybe', h.keys.admin);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { fields: Array<{ field: string }> }).fields[0]?.field).toBe('query.consent');
  });

  it('never shows an absolute server path: relative to the recordings root, or the file name', async () => {
    const rec = await h.addRecording();
    const event = (file: string) =>
      h.store.events.append({
        callId: rec.callId,
        recordingId: rec.id,
        type: 'started',
        actor: 'system',
        detail: { file },
      });
    await event(`/var/spool/asterisk/monitor/callrec/${rec.filePath}`);
    await event(`${h.root}/elsewhere/x.wav`);
    await event('/mnt/other/y.wav');
    const body = await json(`/api/recordings/${rec.id}`);
    const files = (body.events as Array<{ type: string; detail: { file?: string } }>)
      .filter((e) => e.type === 'started')
      .map((e) => e.detail.file);
    expect(files).toEqual([rec.filePath, 'elsewhere/x.wav', 'y.wav']);
    const audit = JSON.stringify(await json(`/api/audit?recording=${rec.id}`));
    const csv = await (await h.get(`/api/audit?recording=${rec.id}&format=csv`, h.keys.admin)).text();
    for (const text of [JSON.stringify(body), audit, csv]) {
      expect(text).not.toContain('/var/spool');
      expect(text).not.toContain(h.root);
      expect(text).not.toContain('/mnt/other');
    }
  });
});
