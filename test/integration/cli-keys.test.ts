import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { apiKeyMatches, apiKeyPrefix } from '../../controller/src/domain/api-keys';
import { createStore, openDb } from '../../controller/src/store';
import { runCli } from '../helpers/cli';

describe('callrec keys', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callrec-keys-'));
  const env = { CALLREC_DB_URL: `sqlite:${path.join(dir, 'db.sqlite3')}`, CALLREC_RECORDINGS_DIR: dir };
  beforeAll(async () => {
    expect((await runCli(['migrate'], env)).code).toBe(0);
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('prints a new key once and stores only its hash', async () => {
    const r = await runCli(['keys', 'create', '--role', 'agent', '--agent', '201', '--name', 'alice'], env);
    expect(r.code).toBe(0);
    expect(r.out).toHaveLength(1);
    const key = r.out[0] as string;
    const prefix = apiKeyPrefix(key);
    expect(prefix).not.toBeNull();
    expect(r.err.join('\n')).toContain('not shown again');
    const db = openDb(env.CALLREC_DB_URL);
    try {
      const rows = await db.knex('api_keys').select('*');
      // The secret is base64url, which may itself hold '_': everything after the prefix.
      const secret = key.slice(`crk_${prefix}_`.length);
      expect(secret).toHaveLength(43);
      expect(JSON.stringify(rows)).not.toContain(secret);
      const found = await createStore(db).keys.findActive(prefix as string);
      expect(found?.key).toMatchObject({ name: 'alice', role: 'agent', agent: '201' });
      expect(apiKeyMatches(key, found?.hash ?? '')).toBe(true);
    } finally {
      await db.close();
    }
    const listed = await runCli(['keys', 'list'], env);
    expect(listed.out.join('\n')).toMatch(new RegExp(`${prefix}\\tagent\\t201\\talice\\tactive`));
    expect(listed.out.join('\n')).not.toContain(key);
  });

  it.each([
    [['keys', 'create'], /--role must be one of admin, supervisor, agent/],
    [['keys', 'create', '--role', 'boss'], /--role must be one of/],
    [['keys', 'create', '--role', 'agent'], /needs --agent/],
    [['keys', 'create', '--role', 'admin', '--agent', '201'], /--agent applies to --role agent only/],
    [['keys', 'create', '--role'], /--role needs a value/],
    [['keys', 'create', '--colour', 'red'], /unknown option "--colour"/],
    [['keys'], /usage: callrec keys create/],
    [['keys', 'revoke', 'x'], /give the key id/],
  ])('refuses %j with a clear message', async (argv, message) => {
    const r = await runCli(argv, env);
    expect(r.code).toBe(2);
    expect(r.err.join('\n')).toMatch(message);
  });

  it('revokes a key by id', async () => {
    const r = await runCli(['keys', 'create', '--role', 'supervisor'], env);
    const id = /created key (\d+)/.exec(r.err.join('\n'))?.[1];
    expect((await runCli(['keys', 'revoke', String(id)], env)).code).toBe(0);
    expect((await runCli(['keys', 'revoke', String(id)], env)).code).toBe(1);
  });
});
