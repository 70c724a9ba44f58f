// Where the real PBX captures live (test/fixtures): read by the Asterisk and FreeSWITCH trace helpers.
import path from 'node:path';

export const FIXTURES = path.join(__dirname, '..', 'fixtures');
