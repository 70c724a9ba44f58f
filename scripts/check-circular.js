#!/usr/bin/env node
// Fails when the modules under the given folders import each other in a circle (type-only
// imports count: a circle of types is still a circle a reader must untangle). Relative imports
// only; TypeScript's own pre-processor reads them, so comments and strings are never mistaken.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const ts = require('typescript');

function listTs(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return listTs(p);
    return /\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

function resolve(from, spec) {
  if (!spec.startsWith('.')) return null;
  const base = path.resolve(path.dirname(from), spec);
  for (const c of [base, `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts')]) {
    if (/\.tsx?$/.test(c) && fs.existsSync(c) && fs.statSync(c).isFile()) return c;
  }
  return null;
}

/** Strongly connected components with more than one module, or a module importing itself. */
function circles(graph) {
  let index = 0;
  const idx = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const out = [];
  function visit(v) {
    idx.set(v, index);
    low.set(v, index);
    index += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v), idx.get(w)));
      }
    }
    if (low.get(v) !== idx.get(v)) return;
    const scc = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      scc.push(w);
    } while (w !== v);
    if (scc.length > 1 || (graph.get(v) ?? new Set()).has(v)) out.push(scc.reverse());
  }
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

function main(argv) {
  const roots = argv.length ? argv : ['controller/src'];
  const graph = new Map();
  for (const root of roots) {
    if (!fs.existsSync(root)) {
      console.error(`check-circular: ${root} does not exist`);
      return 2;
    }
    for (const file of listTs(path.resolve(root))) {
      const info = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
      const deps = new Set(info.importedFiles.map((f) => resolve(file, f.fileName)).filter((d) => d !== null));
      graph.set(file, deps);
    }
  }
  const found = circles(graph);
  const rel = (f) => path.relative(process.cwd(), f);
  if (found.length === 0) {
    console.log(`check-circular: ${graph.size} modules under ${roots.join(', ')}, no import circle`);
    return 0;
  }
  console.error(`check-circular: ${found.length} import circle(s):`);
  for (const c of found) console.error(`  ${c.map(rel).join(' -> ')} -> ${rel(c[0])}`);
  return 1;
}

process.exitCode = main(process.argv.slice(2));
