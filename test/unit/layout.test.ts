// The shape docs/architecture.md promises: no module in controller/src past 300 lines (as
// prettier lays it out), so a file that grows is split along a seam before it lands.
import fs from 'node:fs';
import path from 'node:path';

const SRC = path.join(__dirname, '../../controller/src');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return /\.(ts|js)$/.test(e.name) ? [p] : [];
  });
}

describe('controller/src layout', () => {
  it('has no file over 300 lines', () => {
    const long = sources(SRC)
      .map((f) => ({ file: path.relative(SRC, f), lines: fs.readFileSync(f, 'utf8').split('\n').length - 1 }))
      .filter((f) => f.lines > 300);
    expect(long).toEqual([]);
  });
});
