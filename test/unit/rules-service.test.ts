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

/** A source that tells the service of this process's own writes: changed() is such a write. */
function writable(version: () => number): { src: ReturnType<typeof source>; changed: () => void } {
  let notify = () => {};
  const src = Object.assign(source(version), {
    onChange: (cb: () => void) => {
      notify = cb;
      return () => undefined;
    },
  });
  return { src, changed: () => notify() };
}

describe('RulesService', () => {
  it('reads the version once for calls arriving together, then decides from memory (issue 23)', async () => {
    const src = source(() => 1);
    const service = new RulesService(src, SETTINGS);
    await Promise.all(Array.from({ length: 20 }, () => service.engine()));
    expect(src.reads).toBe(1);
    expect(src.loads).toBe(1);
    await service.engine();
    expect([src.reads, src.loads]).toEqual([1, 1]);
  });

  it("reads again on the next call after this process's own write", async () => {
    let v = 1;
    const { src, changed } = writable(() => v);
    const service = new RulesService(src, SETTINGS);
    await service.engine();
    v = 2;
    changed();
    const engines = await Promise.all([service.engine(), service.engine()]);
    expect(engines[0]).toBe(engines[1]);
    expect((engines[0] as unknown as { rules: { version: number } }).rules.version).toBe(2);
    await service.engine();
    expect(src.loads).toBe(2);
  });

  it('hands the gate the engine without waiting only when engine() would return it at once', async () => {
    let v = 1;
    const { src, changed } = writable(() => v);
    const service = new RulesService(src, SETTINGS);
    expect(service.engineNow()).toBeNull(); // nothing loaded yet
    const first = await service.engine();
    expect(service.engineNow()).toBe(first);
    v = 2;
    changed(); // this process wrote rules: the cache must be checked first
    expect(service.engineNow()).toBeNull();
    const second = await service.engine();
    expect(second).not.toBe(first);
    expect(service.engineNow()).toBe(second);
  });

  it("reloads once when a refresh finds another process's write, and not otherwise", async () => {
    let v = 1;
    const src = source(() => v);
    const service = new RulesService(src, SETTINGS);
    const first = await service.engine();
    await service.refresh();
    expect(src.loads).toBe(1);
    v = 2;
    await service.refresh();
    expect(src.loads).toBe(2);
    const engines = await Promise.all([service.engine(), service.engine()]);
    expect(engines[0]).toBe(engines[1]);
    expect(engines[0]).not.toBe(first);
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
