'use strict';
// Lets node run TypeScript directly (benchmarks, scripts): `node -r ./scripts/swc-register.js x.ts`.
// Compiles each .ts file with @swc/core (already a dev dependency for jest), no type checking.
const fs = require('node:fs');
const swc = require('@swc/core');

require.extensions['.ts'] = function compileTs(module, filename) {
  const { code } = swc.transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    sourceMaps: 'inline',
    module: { type: 'commonjs' },
    jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
  });
  module._compile(code, filename);
};
