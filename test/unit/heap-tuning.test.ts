import { tuneHeap } from '../../controller/src/cli/heap';

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
