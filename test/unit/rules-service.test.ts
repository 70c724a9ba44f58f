import { RulesService, type RulesSource } from '../../controller/src/policy/service';
import type { RuleSet } from '../../controller/src/policy/rules';

const SETTINGS = { defaultCountry: 'US', defaultLanguage: 'en', tierLengths: { standardDays: 180, extendedYears: 7 } };

function source(version: () => number): RulesSource & { reads: number; loads: number } {
  const s = {
    reads: 0,
    loads: 0,
    version: async () => {
      s.reads += 1;
      await new Promise((r) => setTimeout(r, 5));
      return version();
    },
    load: async () => {
      s.loads += 1;
      return { version: version(), flows: [], account: {} } as unknown as RuleSet;
    },
  };
  return s;
}

describe('RulesService', () => {
  it('shares one version read among calls arriving together, and reads again for the next call', async () => {
    const src = source(() => 1);
    const service = new RulesService(src, SETTINGS);
    await Promise.all(Array.from({ length: 20 }, () => service.engine()));
    expect(src.reads).toBe(1);
    expect(src.loads).toBe(1);
    await service.engine();
    expect(src.reads).toBe(2);
    expect(src.loads).toBe(1);
  });

  it('reloads once when a later read shows a new version', async () => {
    let v = 1;
    const src = source(() => v);
    const service = new RulesService(src, SETTINGS);
    await service.engine();
    v = 2;
    const engines = await Promise.all([service.engine(), service.engine()]);
    expect(src.loads).toBe(2);
    expect(engines[0]).toBe(engines[1]);
  });

  it('decides with the rules it has when the version read hangs or fails (the database is down)', async () => {
    let mode: 'ok' | 'hang' | 'fail' = 'ok';
    const src = source(() => 1);
    const read = src.version;
    src.version = () =>
      mode === 'hang'
        ? new Promise<number>(() => {})
        : mode === 'fail'
          ? Promise.reject(new Error('ECONNREFUSED'))
          : read();
    const service = new RulesService(src, SETTINGS, 50);
    const first = await service.engine();
    mode = 'hang';
    const t0 = Date.now();
    expect(await service.engine()).toBe(first);
    expect(Date.now() - t0).toBeLessThan(500);
    mode = 'fail';
    expect(await service.engine()).toBe(first);
  });
});
