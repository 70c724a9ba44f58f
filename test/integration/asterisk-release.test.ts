// What a call leaves behind once it ends (issue 23's soak): nothing. After calls hang up and
// their recordings are settled, the registry and the adapter remember no call.
import { decision, fixedEngine, until, writeWav } from '../helpers/call-harness';
import { startHarness, type Harness } from '../helpers/asterisk/gate-harness';

describe('a call that ended', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ engine: fixedEngine({ answer: decision({ consent: 'none', greeting: null }) }) });
  });
  afterAll(async () => {
    await h.close();
  });

  it('leaves no state in the registry or the Asterisk adapter, 40 recorded calls later', async () => {
    h.sim.onRecord = (_id, file) => writeWav(file, 0.1);
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      const ch = h.sim.addChannel();
      ids.push(ch.id);
      h.sim.enterStasis(ch.id, ['gate', 'sales', 'answer']);
    }
    const continued = () => new Set(h.sim.requests.filter((r) => r.path.endsWith('/continue')).map((r) => r.path));
    await until(() => continued().size === ids.length, 10_000, 'every continue');
    expect(h.registry.pending()).toBeGreaterThan(0);
    for (const id of ids) h.sim.hangup(id);
    await until(() => h.registry.pending() === 0, 10_000, 'every call forgotten');
    await h.registry.settled();
    expect(h.registry.pending()).toBe(0);
    expect(h.adapter.tracked()).toBe(0);
    const done = await h.db.knex('recordings').where({ state: 'completed' }).count({ n: '*' });
    expect(Number((done as Array<{ n: number }>)[0]?.n)).toBe(ids.length);
  });
});
