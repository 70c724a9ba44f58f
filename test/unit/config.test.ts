import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig, redactedConfig } from '../../controller/src/config';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

describe('configuration', () => {
  const cwd = process.cwd();
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callrec-cfg-'));
    process.chdir(dir);
  });
  afterEach(() => {
    process.chdir(cwd);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('defaults to the embedded SQLite store on loopback port 8080 with nothing set', () => {
    const cfg = loadConfig({});
    expect(cfg.db.url).toBe('sqlite:./data/callrec.sqlite3');
    expect(cfg.http).toEqual({ host: '127.0.0.1', port: 8080, trustProxy: false });
    expect(cfg.pbx).toBe('asterisk');
    expect(cfg.ari.app).toBe('callrec');
    expect(cfg.recordingsDir).toBe(path.join(fs.realpathSync(dir), 'data/recordings'));
  });

  it.each([
    [{ CALLREC_HTTP_PORT: 'abc' }, 'CALLREC_HTTP_PORT: must be an integer from 1 to 65535 (got "abc")'],
    [{ CALLREC_HTTP_PORT: '70000' }, 'CALLREC_HTTP_PORT: must be an integer from 1 to 65535 (got "70000")'],
    [{ CALLREC_PBX: 'sip' }, 'CALLREC_PBX: must be one of asterisk, freeswitch (got "sip")'],
    [
      { CALLREC_DB_URL: 'postgres://x' },
      'CALLREC_DB_URL: must be mysql://user:pass@host:3306/db or sqlite:<path> (sqlite::memory: for tests)',
    ],
    [
      { CALLREC_ARI_URL: 'ws://x' },
      'CALLREC_ARI_URL: must be an http:// or https:// URL such as http://127.0.0.1:8088 (got "ws://x")',
    ],
    [{ CALLREC_LOG_LEVEL: 'loud' }, 'CALLREC_LOG_LEVEL: must be one of error, warn, info, debug (got "loud")'],
    [{ CALLREC_FALLBACK: 'maybe' }, 'CALLREC_FALLBACK: must be one of announce-and-record, record, skip (got "maybe")'],
    [
      { CALLREC_RETENTION_TIMEZONE: 'Mars/Base' },
      'CALLREC_RETENTION_TIMEZONE: must be an IANA time zone such as Europe/London, or "local" (got "Mars/Base")',
    ],
  ])('rejects %j with one line naming the field and what is allowed', (env, line) => {
    expect(problems(env)).toEqual([line]);
  });

  it('reports every bad field, one line each', () => {
    expect(problems({ CALLREC_HTTP_PORT: 'abc', CALLREC_PBX: 'sip' })).toHaveLength(2);
  });

  it('never prints a secret value in an error', () => {
    const lines = problems({ CALLREC_DB_URL: 'mysql://root:hunter2@' });
    expect(lines.join('\n')).not.toContain('hunter2');
  });

  it('reads callrec.yaml and lets the environment override it', () => {
    fs.writeFileSync(
      'callrec.yaml',
      'http:\n  port: 9090\n  host: 0.0.0.0\npbx: freeswitch\nesl:\n  password: s3cret\n',
    );
    const cfg = loadConfig({ CALLREC_HTTP_PORT: '9191' });
    expect(cfg.http).toEqual({ host: '0.0.0.0', port: 9191, trustProxy: false });
    expect(cfg.pbx).toBe('freeswitch');
    expect(cfg.esl.password).toBe('s3cret');
    expect(JSON.stringify(redactedConfig(cfg))).not.toContain('s3cret');
  });

  it('names the file and key for a bad value in callrec.yaml, and unknown keys', () => {
    fs.writeFileSync('settings.yaml', 'http:\n  port: nope\nhttpp: 1\n');
    const lines = problems({ CALLREC_CONFIG: 'settings.yaml' });
    expect(lines).toContainEqual(
      expect.stringMatching(/settings\.yaml: http\.port: must be an integer from 1 to 65535 \(got "nope"\)$/),
    );
    expect(lines).toContainEqual(expect.stringMatching(/settings\.yaml: unknown setting "httpp"$/));
  });

  it('reports a missing CALLREC_CONFIG file and malformed YAML', () => {
    expect(problems({ CALLREC_CONFIG: 'nope.yaml' })[0]).toMatch(/^CALLREC_CONFIG: file .*nope\.yaml does not exist$/);
    fs.writeFileSync('bad.yaml', 'http: [1, 2\n');
    expect(problems({ CALLREC_CONFIG: 'bad.yaml' })[0]).toMatch(/bad\.yaml: /);
  });
});
