/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The real-PBX suites have their own run (jest.realpbx.config.js, `npm run test:realpbx`): they
  // share one Asterisk and one FreeSWITCH, so they run one file at a time.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/realpbx/'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testTimeout: 30000,
  // Store tests create their own MySQL databases; two workers keep the 2-core box responsive.
  maxWorkers: 2,
};
