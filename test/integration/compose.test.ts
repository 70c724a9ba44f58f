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
  it("describes the controller and MySQL only: the PBX is the admin's own", () => {
    expect(Object.keys(doc.services).sort()).toEqual(['controller', 'mysql']);
    expect(doc.services.controller?.build).toBe('.');
    // The recordings are the PBX's spool on the host, mounted into the controller.
    expect(doc.services.controller?.volumes).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\$\{CALLREC_RECORDINGS_HOST_DIR:-\/var\/spool\/asterisk\/callrec\}:/),
      ]),
    );
    expect(JSON.stringify(doc.services.controller?.environment)).toContain('mysql://');
  });

  it('uses no image but Docker Official Images (no owner/ prefix)', () => {
    const images = Object.values(doc.services)
      .map((s) => s.image)
      .filter((i): i is string => typeof i === 'string');
    expect(images).toEqual(['mariadb:10.11']);
    for (const image of images) expect(image).not.toMatch(/\//);
  });

  const compose = composeCommand();
  (compose ? it : it.skip)(
    `validates with ${compose?.join(' ') ?? 'docker compose (not installed: skipped)'} config`,
    () => {
      const [cmd, ...args] = compose as string[];
      const out = execFileSync(cmd as string, [...args, '-f', file, 'config', '--quiet'], {
        env: { ...process.env, CALLREC_DB_PASSWORD: 'x', CALLREC_ARI_PASSWORD: 'y', CALLREC_AMI_SECRET: 'z' },
        encoding: 'utf8',
      });
      expect(out).toBe('');
    },
  );
});
