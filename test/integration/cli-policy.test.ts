import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RulesService, policySettings } from '../../controller/src/policy/service';
import { loadConfig } from '../../controller/src/config';
import { createStore, openDb } from '../../controller/src/store';
import { runCli } from '../helpers/cli';
import { createTestDb, STORE_KINDS } from '../helpers/db';

const EXAMPLE = path.join(__dirname, '../../flows.example.yaml');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'callrec-flows-'));

describe.each(STORE_KINDS)('callrec flows and explain on %s', (kind) => {
  it('imports the example, explains a call the way the gate decides it, and exports it back', async () => {
    const db = await createTestDb(kind);
    try {
      const env = { CALLREC_DB_URL: db.url };
      const imp = await runCli(['flows', 'import', EXAMPLE], env);
      expect(imp).toMatchObject({ code: 0, err: [] });
      expect(imp.out[0]).toMatch(/^imported 3 flows \(6 applet rules\) and 2 campaigns from .*flows\.example\.yaml; rules version \d+$/);

      const ex = await runCli(['explain', '--flow', 'sales', '--applet', 'dial', '--from', '+13105550100', '--to', '+12125550123'], env);
      expect(ex.code).toBe(0);
      expect(ex.out).toEqual(expect.arrayContaining([
        'record         from-ringing', 'consent        announce', 'greeting       callrec/announce (en)',
        'beep           yes', 'tier           standard (180 days)', 'jurisdictions  US-CA',
        '  1. applet rule "sales/dial" (dial) applies, over the flow default',
      ]));

      // One code path: --json is exactly what the RulesService engine hands the gate.
      const json = await runCli(['explain', '--flow', 'finance', '--applet', 'dial', '--from', 'anonymous', '--to', '2125550123', '--language', 'es', '--json'], env);
      const handle = openDb(db.url);
      try {
        const engine = await new RulesService(createStore(handle).rules, policySettings(loadConfig(env))).engine();
        const gate = engine.decide({ pbx: 'asterisk', direction: 'inbound', flow: 'finance', applet: 'dial', campaign: null, from: 'anonymous', to: '2125550123', agent: null, language: 'es' });
        expect(JSON.parse(json.out.join('\n'))).toEqual(gate);
        expect(gate).toMatchObject({ tier: 'extended', consent: 'announce', greeting: { sound: 'callrec/announce', language: 'es' } });
      } finally {
        await handle.close();
      }

      const out = await runCli(['flows', 'export'], env);
      expect(out.code).toBe(0);
      const file = path.join(tmp(), 'exported.yaml');
      fs.writeFileSync(file, out.out.join('\n'));
      expect((await runCli(['flows', 'import', file], env)).code).toBe(0);
      expect((await runCli(['flows', 'export'], env)).out).toEqual(out.out);
    } finally {
      await db.drop();
    }
  });

  it('refuses a malformed file with line-precise errors and imports nothing', async () => {
    const db = await createTestDb(kind);
    try {
      const env = { CALLREC_DB_URL: db.url };
      expect((await runCli(['flows', 'import', EXAMPLE], env)).code).toBe(0);
      const before = await runCli(['flows', 'export'], env);
      const file = path.join(tmp(), 'bad.yaml');
      fs.writeFileSync(file, 'flows:\n  only-this:\n    defaults: { record: from-answer }\n  sales:\n    applets:\n      dial:\n        kind: dial\n        consent: maybe\n');
      const r = await runCli(['flows', 'import', file], env);
      expect(r.code).toBe(1);
      expect(r.err).toEqual([
        `${file}:8:18: flows.sales.applets.dial.consent: "maybe" is not one of none, announce, opt-out, opt-in`,
        `callrec flows import: 1 problem(s) in ${file}; nothing imported`,
      ]);
      expect((await runCli(['flows', 'export'], env)).out).toEqual(before.out);
    } finally {
      await db.drop();
    }
  });
});

describe('callrec flows and explain: usage errors', () => {
  const env = () => ({ CALLREC_DB_URL: `sqlite:${path.join(tmp(), 'db.sqlite3')}` });
  it.each([
    [['flows'], 2, /unknown action ""; use import <file> or export/],
    [['flows', 'import'], 2, /which file\?/],
    [['flows', 'import', '/nonexistent/flows.yaml'], 1, /cannot read \/nonexistent\/flows\.yaml: ENOENT/],
    [['explain', '--direction', 'sideways'], 2, /--direction must be one of inbound, outbound, internal, not "sideways"/],
    [['explain', '--flwo', 'sales'], 2, /Unknown option '--flwo'/],
  ])('%j', async (argv, code, message) => {
    const r = await runCli(argv, env());
    expect(r.code).toBe(code);
    expect(r.err.join('\n')).toMatch(message);
  });

  it('explains an outbound campaign call on an empty database with the built-in defaults', async () => {
    const r = await runCli(['explain', '--direction', 'outbound', '--campaign', 'x', '--from', '201', '--to', '+442079460000'], env());
    expect(r.code).toBe(0);
    expect(r.out).toEqual(expect.arrayContaining(['record         from-answer', 'consent        announce', 'jurisdictions  GB',
      '  1. outbound call, campaign "x" is not configured: account outbound setting applies']));
  });
});
