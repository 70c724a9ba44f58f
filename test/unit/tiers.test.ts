import { retainUntil } from '../../controller/src/domain/tiers';

describe('retainUntil', () => {
  it.each([
    ['standard', '2026-01-01T10:00:00.000Z', '2026-06-30T10:00:00.000Z'],
    ['extended', '2026-01-01T10:00:00.000Z', '2033-01-01T10:00:00.000Z'],
    ['extended', '2028-02-29T12:00:00.000Z', '2035-03-01T12:00:00.000Z'],
  ] as const)('keeps a %s recording ended %s until %s', (tier, end, expected) => {
    expect(retainUntil(new Date(end), tier).toISOString()).toBe(expected);
  });

  it('uses configured lengths', () => {
    expect(
      retainUntil(new Date('2026-01-01T00:00:00Z'), 'standard', { standardDays: 30, extendedYears: 7 }).toISOString(),
    ).toBe('2026-01-31T00:00:00.000Z');
  });
});
