'use strict';
// Printed at the end of `npm test`: the real-PBX suites are not part of it, and whether this shell
// could run them (`npm run test:realpbx` reads the CALLREC_IT_* variables).
const asterisk = Boolean(process.env.CALLREC_IT_ARI_URL);
const freeswitch = Boolean(process.env.CALLREC_IT_ESL_HOST);
const which = [asterisk && 'Asterisk', freeswitch && 'FreeSWITCH'].filter(Boolean).join(' and ');
process.stdout.write(
  which
    ? `real-PBX suites: skipped by npm test; run them against ${which} with \`npm run test:realpbx\`\n`
    : 'real-PBX suites: skipped (no CALLREC_IT_* variables; see "Testing against a real PBX" in the README)\n',
);
