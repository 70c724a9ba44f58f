// The purge's pacing: the rest after a batch gives the database back what the batch took of it.
import { restAfter } from '../../controller/src/retention/run-phases';

describe('the rest after a purge batch', () => {
  it('rests as long as the batch was in the database at duty 0.5, and in proportion at other duties', () => {
    expect(restAfter(10, 0, 0.5)).toBe(10);
    expect(restAfter(10, 0, 0.25)).toBe(30);
    expect(restAfter(12, 0, 0.75)).toBeCloseTo(4);
  });

  it('counts the time unlinking files towards the rest: the database was free meanwhile', () => {
    expect(restAfter(10, 4, 0.5)).toBe(6);
    expect(restAfter(10, 10, 0.5)).toBe(0);
    expect(restAfter(10, 25, 0.5)).toBe(0);
  });

  it('never rests unpaced or on a clock that went backwards', () => {
    expect(restAfter(10, 0, 1)).toBe(0);
    expect(restAfter(-3, 0, 0.5)).toBe(0);
  });

  it('refuses a duty of 0 or less, which would rest for ever (in practice: not at all)', () => {
    expect(() => restAfter(10, 0, 0)).toThrow(/duty cycle must be above 0 \(got 0\)/);
    expect(() => restAfter(10, 0, -0.5)).toThrow(RangeError);
    expect(() => restAfter(10, 0, Number.NaN)).toThrow(RangeError);
  });
});
