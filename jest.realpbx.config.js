/** The real-PBX suites (`npm run test:realpbx`): one file at a time against the PBXes the
 * CALLREC_IT_* variables name; each suite skips, saying so, when its variables are unset. */
const base = require('./jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  roots: ['<rootDir>/test/realpbx'],
  testPathIgnorePatterns: ['/node_modules/'],
  maxWorkers: 1,
  testTimeout: 120000,
};
