import fs from 'node:fs';
import path from 'node:path';
import { FIELDS } from '../../controller/src/config';

const readme = fs.readFileSync(path.join(__dirname, '../../README.md'), 'utf8');

describe('README', () => {
  it.each(FIELDS.map((f) => [f.env, f.path]))('documents %s (%s)', (env, key) => {
    expect(readme).toContain(`| \`${env}\` | \`${key}\` |`);
  });
});
