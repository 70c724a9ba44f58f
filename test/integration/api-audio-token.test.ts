// Signed audio URLs: bound to one key and one recording, short-lived, dead with a revoked key,
// audited under the key's actor, and the only non-header way in.
import { AudioTokens, AUDIO_TOKEN_TTL_MS } from '../../controller/src/api/audio-token';
import { startApi, type ApiHarness } from '../helpers/api';
import { STORE_KINDS } from '../helpers/db';

describe('AudioTokens', () => {
  const now = 1_000_000;
  const tokens = new AudioTokens(Buffer.alloc(32, 7), () => now);
  const t = tokens.issue(4, 12).token;

  it.each([
    ['the recording it was issued for', t, 12, 4],
    ['another recording', t, 13, null],
    ['a tampered key id', t.replace(/^4\./, '1.'), 12, null],
    ['garbage', 'x.y.z', 12, null],
  ])('verifies against %s', (_what, token, rec, expected) => {
    expect(tokens.verify(token, rec)).toBe(expected);
  });

  it('expires after the TTL', () => {
    // Its own clock: moving the shared one would expire the token for the tests above in any order.
    let later = now;
    const own = new AudioTokens(Buffer.alloc(32, 7), () => later);
    const token = own.issue(4, 12).token;
    expect(own.verify(token, 12)).toBe(4);
    later += AUDIO_TOKEN_TTL_MS + 1;
    expect(own.verify(token, 12)).toBeNull();
  });
});

describe.each(STORE_KINDS)('audio token route (%s)', (kind) => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi(kind);
  });
  afterAll(async () => {
    await h.close();
  });

  it('plays with ?token= (Range honoured, audited as the key) and refuses it elsewhere', async () => {
    const rec = await h.addRecording({ agent: '201' });
    const other = await h.addRecording({ agent: '201' });
    const res = await h.send('POST', `/api/recordings/${rec.id}/audio-token`, h.keys.agent);
    expect(res.status).toBe(200);
    const { url, token } = (await res.json()) as { url: string; token: string };
    expect(url).not.toContain(h.keys.agent);

    const partial = await h.get(url, undefined, { Range: 'bytes=10-19' });
    expect(partial.status).toBe(206);
    expect((await partial.arrayBuffer()).byteLength).toBe(10);
    const events = await h.store.events.forRecording(rec.id);
    expect(events.at(-1)).toMatchObject({ type: 'listened', actor: 'alice (agent, key 3)' });

    expect((await h.get(`/api/recordings/${other.id}/audio?token=${token}`)).status).toBe(401);
    expect((await h.get(`/api/recordings/${rec.id}?token=${token}`)).status).toBe(401); // only the audio route
    expect((await h.send('POST', `/api/recordings/${rec.id}/audio-token`, h.keys.otherAgent)).status).toBe(404);
  });

  it('dies with its key', async () => {
    const rec = await h.addRecording({ agent: null });
    const { url } = (await (
      await h.send('POST', `/api/recordings/${rec.id}/audio-token`, h.keys.supervisor)
    ).json()) as { url: string };
    expect((await h.get(url)).status).toBe(200);
    const sup = (await h.store.keys.list()).find((k) => k.role === 'supervisor');
    await h.store.keys.revoke(sup!.id);
    expect((await h.get(url)).status).toBe(401);
  });
});
