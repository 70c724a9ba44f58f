// The benches' one-line JSON summaries (`--json`) and the table `npm run bench` prints from them.

export interface SummaryRow {
  bench: string;
  figure: string;
  value: number | null;
  floor?: number;
  ratio?: number;
  target?: string;
  /** Absent: a figure reported without a target. */
  pass?: boolean;
  note?: string;
}

/** The rows of every summary line a bench printed; one row saying why when it printed none. */
export function parseSummaries(bench: string, stdout: string, status: number | null): SummaryRow[] {
  const rows: SummaryRow[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{"bench"')) continue;
    try {
      const s = JSON.parse(line) as { rows?: Array<Omit<SummaryRow, 'bench'>> };
      for (const r of s.rows ?? []) rows.push({ bench, ...r });
    } catch {
      rows.push({ bench, figure: 'summary line', value: null, pass: false, note: 'not valid JSON' });
    }
  }
  if (status !== 0) rows.push({ bench, figure: 'run', value: null, pass: false, note: `exited ${status}` });
  else if (rows.length === 0) rows.push({ bench, figure: '(no --json summary yet)', value: null });
  return rows;
}

const fmt = (n: number | null | undefined, digits = 2) =>
  n === null || n === undefined || Number.isNaN(n) ? '' : n.toFixed(n >= 100 ? 0 : digits);

/** A fixed-width text table: bench, figure, value, floor, ratio, target, result. */
export function summaryTable(rows: readonly SummaryRow[]): string {
  const head = ['bench', 'figure', 'value', 'floor', 'ratio', 'target', 'result'];
  const body = rows.map((r) => [
    r.bench,
    r.figure,
    fmt(r.value),
    fmt(r.floor),
    r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}x`,
    r.target ?? '',
    r.pass === undefined ? (r.note ?? '') : `${r.pass ? 'pass' : 'FAIL'}${r.note ? ` (${r.note})` : ''}`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

/** With --json, the bench's one summary line (`npm run bench` reads it); nothing otherwise. */
export function printSummary(bench: string, rows: ReadonlyArray<Omit<SummaryRow, 'bench'>>): void {
  if (process.argv.includes('--json')) console.log(JSON.stringify({ bench, rows }));
}
