#!/usr/bin/env -S MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=131072 MALLOC_TRIM_THRESHOLD_=131072 node --max-semi-space-size=4
'use strict';
// The CLI runs the compiled controller; `npm install` builds it (prepare script).
// A reader that stops early (`callrec retention report | head`) ends a command's output, quietly.
// Not the controller's: \`start\` logs to stdout and must stop through its own shutdown.
if (process.argv[2] !== 'start')
  process.stdout.on('error', (err) => {
    if (err && err.code === 'EPIPE') process.exit(process.exitCode || 0);
    throw err;
  });
let main;
try {
  main = require('../dist/controller/src/cli/main.js').main;
} catch (err) {
  if (err && err.code === 'MODULE_NOT_FOUND') {
    process.stderr.write('callrec: the controller is not built yet; run `npm run build` (npm install does it)\n');
    process.exit(1);
  }
  throw err;
}
main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
