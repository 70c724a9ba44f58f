import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type v8 from 'node:v8';
import {
  COMPACT_WHEN_FREE_BYTES,
  CompactionTrigger,
  compactPeriodically,
  compactsOwnWay,
  oldSpaceFree,
} from '../../controller/src/cli/compaction';
import { MALLOC_ENV, mallocUnset, SEMI_SPACE_FLAG, semiSpaceSet, tuneHeap } from '../../controller/src/cli/heap';

describe('tuneHeap', () => {
  it.each([
    ['a node flag', ['--heap-growing-percent=50'], undefined],
    ['NODE_OPTIONS (underscores)', [], '--max-old-space-size=512 --heap_growing_percent=50'],
  ])('leaves the heap growth the operator chose in %s', (_where, execArgv, nodeOptions) => {
    expect(tuneHeap(execArgv, nodeOptions)).toBe(false);
  });

  it('sets it otherwise', () => {
    expect(tuneHeap(['--enable-source-maps'], '--max-old-space-size=512')).toBe(true);
  });
});

describe('the semi-space flag', () => {
  it('is passed by every launcher, with the allocator settings: the installed command, npm start and the image', () => {
    const env = Object.entries(MALLOC_ENV)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    expect(fs.readFileSync('bin/callrec.js', 'utf8').split('\n')[0]).toBe(
      `#!/usr/bin/env -S ${env} node ${SEMI_SPACE_FLAG}`,
    );
    const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toBe(`${env} node ${SEMI_SPACE_FLAG} bin/callrec.js start`);
    expect(pkg.scripts.callrec).toBe(`${env} node ${SEMI_SPACE_FLAG} bin/callrec.js`);
    const dockerfile = fs.readFileSync('Dockerfile', 'utf8');
    expect(dockerfile).toContain(`ENTRYPOINT ["node", "${SEMI_SPACE_FLAG}", "bin/callrec.js"]`);
    expect(dockerfile).toContain(`ENV ${env}\n`);
  });

  it('the installed command starts through that first line (env -S with the settings)', () => {
    const out = execFileSync('./bin/callrec.js', ['help'], { encoding: 'utf8', env: { PATH: process.env.PATH } });
    expect(out).toContain('start');
  });

  it('names the allocator settings the process was started without', () => {
    expect(mallocUnset({ MALLOC_ARENA_MAX: '4' })).toEqual(['MALLOC_MMAP_THRESHOLD_', 'MALLOC_TRIM_THRESHOLD_']);
    expect(mallocUnset({ ...MALLOC_ENV })).toEqual([]);
  });

  it('is seen when given as a flag or in NODE_OPTIONS', () => {
    expect(semiSpaceSet(['--max-semi-space-size=4'], undefined)).toBe(true);
    expect(semiSpaceSet([], '--max_semi_space_size=8')).toBe(true);
    expect(semiSpaceSet(['--enable-source-maps'], '')).toBe(false);
  });
});

describe('periodic compaction', () => {
  // In a child with --expose-gc: an old generation where every other object died, then one full GC
  // with the trigger armed or not. Prints the old space's committed MB and whether it is still armed.
  const child = (armed: boolean) => {
    const script = `
      const v8 = require('node:v8');
      const { CompactionTrigger } = require(${JSON.stringify(path.resolve('controller/src/cli/compaction'))});
      const old = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'old_space').physical_space_size;
      let keep = [];
      for (let i = 0; i < 400000; i++) keep.push({ i, s: 'x' + i });
      gc(); gc();
      keep = keep.filter((_, i) => i % 2 === 0);
      const t = new CompactionTrigger();
      if (${armed}) t.arm();
      const before = t.armed;
      gc();
      setTimeout(() => {
        console.log(JSON.stringify({ old: old(), before, after: t.armed, kept: keep.length }));
        t.stop();
      }, 20);`;
    const out = execFileSync(process.execPath, ['--expose-gc', '-r', './scripts/swc-register.js', '-e', script], {
      encoding: 'utf8',
    });
    return JSON.parse(out) as { old: number; before: boolean; after: boolean };
  };

  it('compacts the next full GC once armed, then disarms', () => {
    const plain = child(false);
    const armed = child(true);
    expect(armed.before).toBe(true);
    expect(armed.after).toBe(false);
    // Half the objects died on every page: only compaction gives those pages back.
    expect(armed.old).toBeLessThan(plain.old * 0.75);
  });

  it('arms only when the old space holds enough holes to give back', () => {
    jest.useFakeTimers();
    const arm = jest.spyOn(CompactionTrigger.prototype, 'arm').mockImplementation(() => undefined);
    try {
      let free = COMPACT_WHEN_FREE_BYTES - 1;
      const stop = compactPeriodically(1000, () => free);
      jest.advanceTimersByTime(3000);
      expect(arm).not.toHaveBeenCalled();
      free = COMPACT_WHEN_FREE_BYTES;
      jest.advanceTimersByTime(1000);
      expect(arm).toHaveBeenCalledTimes(1);
      stop();
    } finally {
      arm.mockRestore();
      jest.useRealTimers();
    }
    const space = (name: string, physical: number, used: number) =>
      ({ space_name: name, physical_space_size: physical, space_used_size: used }) as v8.HeapSpaceInfo;
    expect(oldSpaceFree([space('new_space', 9e6, 0), space('old_space', 30e6, 26e6)])).toBe(4e6);
    expect(oldSpaceFree([])).toBe(0);
  });

  it('leaves an operator who chose how full GCs compact alone', () => {
    // V8's flags only: node refuses them in NODE_OPTIONS.
    expect(compactsOwnWay(['--compact-on-every-full-gc'], undefined)).toBe(true);
    expect(compactsOwnWay(['--no-compact'], undefined)).toBe(true);
    expect(compactsOwnWay(['--nocompact-on-every-full-gc'], undefined)).toBe(true);
    expect(compactsOwnWay(['--max-semi-space-size=4', '--compact-code-space'], undefined)).toBe(false);
  });
});

describe('the installed command', () => {
  it('ends quietly when its reader stops early (callrec help | head -1)', () => {
    const r = spawnSync('sh', ['-c', './bin/callrec.js help | head -c 1 > /dev/null; sleep 0.2'], { encoding: 'utf8' });
    expect(r.stderr).not.toMatch(/EPIPE|Unhandled/);
  });
});
