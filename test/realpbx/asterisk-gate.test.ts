// Against a real Asterisk 22 when CALLREC_IT_ARI_URL (and _USER/_PASSWORD) say where; skipped,
// saying so, otherwise. Needs a context that runs Stasis(callrec,gate,...) on a Local channel.
import { probeAri } from '../../controller/src/pbx/asterisk/probe';

const url = process.env.CALLREC_IT_ARI_URL;
const d = url ? describe : describe.skip;

if (!url) {
  test.skip('real Asterisk tests skipped: set CALLREC_IT_ARI_URL, CALLREC_IT_ARI_USER, CALLREC_IT_ARI_PASSWORD to run them', () => {});
}

d('a real Asterisk', () => {
  it('answers ARI with the served version', async () => {
    const r = await probeAri({
      url: url ?? '',
      user: process.env.CALLREC_IT_ARI_USER ?? 'callrec',
      password: process.env.CALLREC_IT_ARI_PASSWORD ?? '',
      app: 'callrec',
    });
    expect(r).toMatchObject({ ok: true });
    expect(r.detail).toMatch(/Asterisk 22\./);
  });
});
