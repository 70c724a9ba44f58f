import fs from 'node:fs';
import { SEMI_SPACE_FLAG, semiSpaceSet, tuneHeap } from '../../controller/src/cli/heap';

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
  it('is passed by every launcher: the installed command, npm start and the image', () => {
    expect(fs.readFileSync('bin/callrec.js', 'utf8').split('\n')[0]).toBe(`#!/usr/bin/env -S node ${SEMI_SPACE_FLAG}`);
    const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toBe(`node ${SEMI_SPACE_FLAG} bin/callrec.js start`);
    expect(fs.readFileSync('Dockerfile', 'utf8')).toContain(
      `ENTRYPOINT ["node", "${SEMI_SPACE_FLAG}", "bin/callrec.js"]`,
    );
  });

  it('is seen when given as a flag or in NODE_OPTIONS', () => {
    expect(semiSpaceSet(['--max-semi-space-size=4'], undefined)).toBe(true);
    expect(semiSpaceSet([], '--max_semi_space_size=8')).toBe(true);
    expect(semiSpaceSet(['--enable-source-maps'], '')).toBe(false);
  });
});
