import { downloadName, parseRange } from '../../controller/src/api/files';
import { storedForms } from '../../controller/src/api/numbers';

describe('parseRange over a 1000-byte file', () => {
  it.each([
    [undefined, { kind: 'full' }],
    ['bytes=0-0', { kind: 'partial', start: 0, end: 0 }],
    ['bytes=10-', { kind: 'partial', start: 10, end: 999 }],
    ['bytes=-1', { kind: 'partial', start: 999, end: 999 }],
    ['bytes=0-99999', { kind: 'partial', start: 0, end: 999 }],
    ['bytes=0-1,5-6', { kind: 'full' }],
    ['bytes=1000-1000', { kind: 'unsatisfiable' }],
    ['bytes=9-3', { kind: 'unsatisfiable' }],
    ['bytes=-0', { kind: 'unsatisfiable' }],
    ['bytes=x-1', { kind: 'unsatisfiable' }],
    ['pages=1-2', { kind: 'unsatisfiable' }],
  ])('%s -> %j', (header, expected) => {
    expect(parseRange(header, 1000)).toEqual(expected);
  });

  it('finds nothing satisfiable in an empty file', () => {
    expect(parseRange('bytes=0-', 0)).toEqual({ kind: 'unsatisfiable' });
  });
});

describe('storedForms', () => {
  it.each([
    ['(415) 555-0111', 'US', ['4155550111', '+14155550111']],
    ['+44 20 7946 0018', 'US', ['+442079460018']],
    ['020 7946 0018', 'GB', ['02079460018', '+442079460018']],
    ['0044 20 7946 0018', 'US', ['00442079460018', '+442079460018']],
    ['201', 'US', ['201']],
  ] as const)('%s read in %s -> %j', (q, country, forms) => {
    expect(storedForms(q, country)).toEqual(forms);
  });
});

describe('downloadName', () => {
  it('keeps only safe characters', () => {
    expect(
      downloadName({
        id: 5,
        startedAt: new Date('2026-11-22T10:04:05.678Z'),
        fromNumber: '+1 (310) "x";',
        toNumber: null,
      }),
    ).toBe('20261122100405-+1310x-unknown-5.wav');
  });
});
