import fs from 'node:fs';
import path from 'node:path';
import { FIELDS } from '../../controller/src/config';

const readme = fs.readFileSync(path.join(__dirname, '../../README.md'), 'utf8');
const configuration = fs.readFileSync(path.join(__dirname, '../../docs/configuration.md'), 'utf8');

describe('README', () => {
  it.each(FIELDS.map((f) => [f.env, f.path]))('docs/configuration.md documents %s (%s)', (env, key) => {
    expect(configuration).toContain(`| \`${env}\` | \`${key}\` |`);
  });

  it('stays a manual: under 20 KB, linking every document in docs/', () => {
    expect(Buffer.byteLength(readme)).toBeLessThan(20_000);
    for (const doc of fs.readdirSync(path.join(__dirname, '../../docs')).filter((f) => f.endsWith('.md'))) {
      expect(readme).toContain(`(docs/${doc})`);
    }
  });
});
