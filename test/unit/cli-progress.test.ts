import type { CliIo } from '../../controller/src/cli/io';
import { describeProgress, figures, fmtSeconds, progressReporter } from '../../controller/src/cli/progress';

function capture(): { io: CliIo; err: string[] } {
  const err: string[] = [];
  return { err, io: { out: () => undefined, err: (l) => err.push(l), env: {} } };
}

describe('progress off a terminal', () => {
  it('writes a line when 5 s have passed or another tenth is done, not on every batch', () => {
    const { io, err } = capture();
    let t = 0;
    const p = progressReporter(io, { label: 'retention run', unit: 'recordings', now: () => t });
    // 1,000,000 to do at 100 per 100 ms: a tenth takes 100 s, so the clock sets the pace.
    for (let done = 100; done <= 20_000; done += 100) {
      t += 100;
      p.update(done, 1_000_000);
    }
    expect(err).toHaveLength(4);
    expect(err[0]).toBe('retention run: 5000/1000000 recordings (0%), 1000/s, 16m35s left');
    // A fast run: every tenth gets a line although the clock barely moves.
    const fast = capture();
    const q = progressReporter(fast.io, { label: 'x', unit: 'rows', now: () => t });
    t += 1000;
    for (let done = 10; done <= 100; done += 10) {
      t += 1;
      q.update(done, 100);
    }
    expect(fast.err).toHaveLength(10);
  });

  it('says nothing about work done within its first second', () => {
    const { io, err } = capture();
    let t = 0;
    const p = progressReporter(io, { label: 'flows import', unit: 'flows', now: () => t });
    for (let done = 1; done <= 3; done++) {
      t += 300;
      p.update(done, 3);
    }
    expect(err).toEqual([]);
  });

  it('writes JSON lines under --json', () => {
    const { io, err } = capture();
    let t = 0;
    const p = progressReporter(io, { label: 'retention run', unit: 'recordings', json: true, now: () => t });
    t = 2000;
    p.update(500, 1000);
    expect(err.map((l) => JSON.parse(l) as unknown)).toEqual([
      { progress: { label: 'retention run', unit: 'recordings', done: 500, total: 1000, rate: 250, etaSeconds: 2 } },
    ]);
  });

  it.each([
    [null, '?'],
    [0, '0s'],
    [59, '59s'],
    [65, '1m05s'],
    [3600 * 2 + 60 * 7, '2h07m'],
  ])('formats %p seconds left as %p', (s, text) => {
    expect(fmtSeconds(s)).toBe(text);
  });

  it('has no rate (and no time left) before time has passed', () => {
    expect(describeProgress('l', 'u', figures(0, 10, 0))).toBe('l: 0/10 u (0%), 0/s, ? left');
  });
});

describe('progress notes', () => {
  it('gives every new step its own line, even within the same tenth and second', () => {
    const { io, err } = capture();
    const p = progressReporter(io, { label: 'migrate', unit: 'migrations', now: () => 0 });
    for (let i = 0; i < 3; i++) p.update(i, 300, `applying m${i}`);
    p.update(3, 300, 'applying m2');
    expect(err).toEqual([
      'migrate: 0/300 migrations (0%), 0/s, ? left; applying m0',
      'migrate: 1/300 migrations (0%), 0/s, ? left; applying m1',
      'migrate: 2/300 migrations (0%), 0/s, ? left; applying m2',
    ]);
  });

  it('keeps a decimal for slow rates', () => {
    expect(figures(3, 10, 4000)).toMatchObject({ rate: 0.8, etaSeconds: 9 });
  });
});
