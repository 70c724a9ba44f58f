import { parseSummaries, summaryTable } from '../../bench/summary';

describe('the bench summary table', () => {
  it('reads every summary line, says when a bench printed none or failed, and marks each row', () => {
    const out = [
      'purge: 100000 recordings',
      JSON.stringify({
        bench: 'retention',
        rows: [{ figure: 'insert p99, ms', value: 6, floor: 5, ratio: 1.2, target: 'ratio <= 1.5', pass: true }],
      }),
    ].join('\n');
    const rows = [
      ...parseSummaries('retention', out, 0),
      ...parseSummaries('policy', 'no json here', 0),
      ...parseSummaries('gate', '', 1),
    ];
    expect(rows.map((r) => [r.bench, r.figure, r.pass])).toEqual([
      ['retention', 'insert p99, ms', true],
      ['policy', '(no --json summary yet)', undefined],
      ['gate', 'run', false],
    ]);
    const table = summaryTable(rows).split('\n');
    expect(table[0]).toMatch(/^bench\s+figure\s+value\s+floor\s+ratio\s+target\s+result$/);
    expect(table[2]).toMatch(/retention\s+insert p99, ms\s+6\.00\s+5\.00\s+1\.20x\s+ratio <= 1\.5\s+pass/);
    expect(table[4]).toMatch(/gate\s+run.*FAIL \(exited 1\)/);
  });
});
