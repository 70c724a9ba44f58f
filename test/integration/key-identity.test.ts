// Two keys named `sup` were indistinguishable in the audit trail: the actor now carries the key's
// id, and key names are unique (case and trailing spaces ignored, as MySQL compares them).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateApiKey } from '../../controller/src/domain/api-keys';
import { createStore, migrateLatest, openDb } from '../../controller/src/store';
import { migrateDownOne } from '../../controller/src/store/migrate';
import { createTestDb, STORE_KINDS } from '../helpers/db';
import { startApi } from '../helpers/api';
import { runCli } from '../helpers/cli';

const row = (name: string, role = 'supervisor') => {
  const k = generateApiKey();
  return { name, prefix: k.prefix, hash: k.hash, role, agent: null, created_at: new Date() };
};

describe.each(STORE_KINDS)('key identity on %s', (kind) => {
  it('names the key id in the audit actor', async () => {
    const h = await startApi(kind);
    try {
      const rec = await h.addRecording();
      await h.send('POST', `/api/recordings/${rec.id}/hold`, h.keys.supervisor, { reason: 'case 1' });
      const lead = (await h.store.keys.list()).find((k) => k.name === 'lead');
      const held = (await h.store.events.forRecording(rec.id)).find((e) => e.type === 'held');
      expect(held?.actor).toBe(`lead (supervisor, key ${lead?.id})`);
    } finally {
      await h.close();
    }
  });

  it('keeps existing duplicate names apart when it makes names unique, then refuses a taken name', async () => {
    const tdb = await createTestDb(kind);
    const db = openDb(tdb.url);
    try {
      await migrateLatest(db.knex);
      // Back to just before the unique-names migration (later ones roll back first).
      for (;;) {
        const down = await migrateDownOne(db.knex);
        if (down.length === 0 || down.includes('20261123000004_unique_key_names')) break;
      }
      await db.knex('api_keys').insert([row('sup'), row('Sup'), row('sup '), row('ops', 'admin'), row('sup-2')]);
      await migrateLatest(db.knex);
      const names = (await db.knex('api_keys').orderBy('id').select('id', 'name')) as Array<{
        id: number;
        name: string;
      }>;
      // Fresh tables number from 1: "Sup" (id 2) would become "Sup-2", which "sup-2" (id 5) holds.
      expect(names.map((n) => n.id)).toEqual([1, 2, 3, 4, 5]);
      expect(names.map((n) => n.name)).toEqual(['sup', 'Sup-2-3', 'sup-3', 'ops', 'sup-2']);
      const keys = createStore(db).keys;
      const k = generateApiKey();
      // Checked by code, not instanceof: better-sqlite3's error can come from another jest realm.
      const refused = await keys
        .insert({ name: 'SUP', prefix: k.prefix, hash: k.hash, role: 'admin', agent: null })
        .then(
          () => null,
          (e: unknown) => e as { code?: string },
        );
      expect(refused?.code).toMatch(/^SQLITE_CONSTRAINT|^ER_DUP_ENTRY$/);
    } finally {
      await db.close();
      await tdb.drop();
    }
  });
});

describe('callrec keys create with a taken name', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callrec-keynames-'));
  const env = { CALLREC_DB_URL: `sqlite:${path.join(dir, 'db.sqlite3')}`, CALLREC_RECORDINGS_DIR: dir };
  beforeAll(async () => {
    expect((await runCli(['migrate'], env)).code).toBe(0);
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses an explicit name that is taken, and picks a free default name', async () => {
    expect((await runCli(['keys', 'create', '--role', 'supervisor', '--name', 'sup'], env)).code).toBe(0);
    const again = await runCli(['keys', 'create', '--role', 'admin', '--name', 'SUP'], env);
    expect(again.code).toBe(2);
    expect(again.err.join('\n')).toMatch(/a key named "sup" already exists \(key \d+\); choose another --name/);
    expect((await runCli(['keys', 'create', '--role', 'admin'], env)).code).toBe(0);
    const second = await runCli(['keys', 'create', '--role', 'admin'], env);
    expect(second.code).toBe(0);
    const names = (await runCli(['keys', 'list'], env)).out.map((l) => l.split('\t')[4]);
    expect(new Set(names).size).toBe(names.length);
  });
});
