import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

const root = path.join(__dirname, '../..');
const file = path.join(root, 'docker-compose.yml');
const doc = YAML.parse(fs.readFileSync(file, 'utf8')) as { services: Record<string, Record<string, unknown>> };

function composeCommand(): string[] | null {
  if (spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0) return ['docker', 'compose'];
  if (spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0) return ['docker-compose'];
  return null;
}

describe('docker-compose.yml', () => {
  it('describes MySQL, Asterisk with the shipped dialplan, and the controller sharing a recordings volume', () => {
    expect(Object.keys(doc.services).sort()).toEqual(['asterisk', 'controller', 'mysql']);
    expect(doc.services.asterisk?.volumes).toEqual(expect.arrayContaining([expect.stringMatching(/^\.\/dialplan\/asterisk:/), expect.stringMatching(/^recordings:/)]));
    expect(doc.services.controller?.volumes).toEqual(expect.arrayContaining([expect.stringMatching(/^recordings:/)]));
    expect(JSON.stringify(doc.services.controller?.environment)).toContain('mysql://');
  });

  const compose = composeCommand();
  (compose ? it : it.skip)(`validates with ${compose?.join(' ') ?? 'docker compose (not installed: skipped)'} config`, () => {
    const [cmd, ...args] = compose as string[];
    const out = execFileSync(cmd as string, [...args, '-f', file, 'config', '--quiet'], {
      env: { ...process.env, CALLREC_DB_PASSWORD: 'x', CALLREC_ARI_PASSWORD: 'y', CALLREC_AMI_SECRET: 'z' },
      encoding: 'utf8',
    });
    expect(out).toBe('');
  });
});
