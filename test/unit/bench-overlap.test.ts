import { Overlaps } from '../../bench/overlap';

describe("the retention bench's --blame report", () => {
  it('names the steps the slowest inserts overlapped, against the share of time each was active', () => {
    const o = new Overlaps();
    o.step('files: remove', 10, 30); // active 20% of 0-100
    o.step('update recordings', 50, 55);
    o.insert(0, 1); // before the purge: left out
    for (let i = 0; i < 49; i++) o.insert(60 + i * 0.1, 60.5 + i * 0.1); // fast, overlapping nothing
    o.insert(12, 20); // the slowest: during the file pass
    const lines = o.report(5, 105);
    expect(lines[0]).toBe('the slowest 1 of 50 inserts (2%, 8.0 to 8.0 ms) overlapped:');
    expect(lines[1]).toMatch(/^ {2}files: remove +100% of them; active 20% of the time$/);
    expect(lines[2]).toMatch(/^ {2}no step of the purge +0% of them; 98% of all inserts$/);
    expect(lines).toHaveLength(3);
  });
});
