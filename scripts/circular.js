'use strict';
// `npm run check:circular`: fails on any import circle in controller/src, type-only imports
// included (what `madge --circular --extensions ts --ts-config tsconfig.json controller/src`
// reports). It also fails when madge read no file or could not resolve one, so that a wrong path
// or config cannot pass for "no circle".
const path = require('node:path');
const madge = require('madge');

const root = path.join(__dirname, '..');
const src = path.join(root, 'controller', 'src');

function fail(lines) {
  process.stderr.write(`${lines.join('\n')}\n`);
  process.exitCode = 1;
}

madge(src, { fileExtensions: ['ts'], tsConfig: path.join(root, 'tsconfig.json') }).then((res) => {
  const files = Object.keys(res.obj()).length;
  const skipped = res.warnings().skipped;
  const circles = res.circular();
  if (files === 0) return fail([`check:circular: no TypeScript file found under ${src}`]);
  if (skipped.length > 0) return fail([`check:circular: ${skipped.length} import(s) could not be resolved:`, ...skipped.map((s) => `  ${s}`)]);
  if (circles.length > 0) {
    return fail([`check:circular: ${circles.length} import circle(s) in controller/src:`, ...circles.map((c, i) => `  ${i + 1}) ${c.join(' > ')}`)]);
  }
  process.stdout.write(`check:circular: ${files} files, no import circle\n`);
}, (e) => fail([`check:circular: ${e.message}`]));
