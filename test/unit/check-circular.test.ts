// scripts/check-circular.js: the import-circle check `npm test` runs over controller/src.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const SCRIPT = path.join(__dirname, '../../scripts/check-circular.js');

function tree(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callrec-circ-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

function check(dir: string) {
  const r = spawnSync(process.execPath, [SCRIPT, dir], { encoding: 'utf8' });
  fs.rmSync(dir, { recursive: true, force: true });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('check-circular', () => {
  it('passes a tree whose imports only go one way', () => {
    const r = check(
      tree({
        'a.ts': "import { b } from './b';\n",
        'b.ts': "import { c } from './sub';\n",
        'sub/index.ts': 'export const c = 1;\n',
      }),
    );
    expect(r).toMatchObject({ code: 0, out: expect.stringMatching(/3 modules .* no import circle/) });
  });

  it('fails on a circle of type-only imports and names every module in it', () => {
    const r = check(
      tree({
        'a.ts': "import type { B } from './b';\nexport type A = B;\n",
        'b.ts': "import type { C } from './c';\nexport type B = C;\n",
        'c.ts': "// import { x } from './a' is only a comment\nexport type { A as C } from './a';\n",
      }),
    );
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/1 import circle\(s\)/);
    expect(r.err).toMatch(/a\.ts -> .*b\.ts -> .*c\.ts -> .*a\.ts/);
  });

  it('says so when a folder does not exist', () => {
    const r = spawnSync(process.execPath, [SCRIPT, '/nonexistent/callrec'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/\/nonexistent\/callrec does not exist/);
  });
});
