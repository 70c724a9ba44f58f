import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AREA_CODE_DATA_VERSION } from '../../controller/src/policy/area-codes';
import { RulesService, policySettings } from '../../controller/src/policy/service';
import { loadConfig } from '../../controller/src/config';
import { createStore, openDb } from '../../controller/src/store';
import { runCli } from '../helpers/cli';
import { createTestDb, STORE_KINDS } from '../helpers/db';

const EXAMPLE = path.join(__dirname, '../../flows.example.yaml');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'callrec-flows-'));

/** `callrec explain` with these arguments succeeds and prints at least these lines. */
async function expectExplains(args: string[], env: Record<string, string>, lines: string[]): Promise<void> {
  const r = await runCli(['explain', ...args], env);
  expect(r.code).toBe(0);
  expect(r.out).toEqual(expect.arrayContaining(lines));
}

describe.each(STORE_KINDS)('callrec flows and explain on %s', (kind) => {
  it('imports the example, explains a call the way the gate decides it, and exports it back', async () => {
    const db = await createTestDb(kind);
    try {
      const env = { CALLREC_DB_URL: db.url };
      const imp = await runCli(['flows', 'import', EXAMPLE], env);
      expect(imp).toMatchObject({ code: 0, err: [] });
      expect(imp.out[0]).toMatch(
        /^imported 3 flows \(6 applet rules\), 2 campaigns and 3 users from .*flows\.example\.yaml; rules version \d+$/,
      );

      await expectExplains(
        ['--flow', 'sales', '--applet', 'dial', '--from', '+13105550100', '--to', '+12125550123'],
        env,
        [
          'record         from-ringing',
          'consent        announce',
          'greeting       callrec/announce (en)',
          'beep           yes',
          'tier           standard (180 days)',
          'jurisdictions  US-CA',
          '  1. applet rule "sales/dial" (dial) applies, over the flow default',
        ],
      );

      // One code path: --json is exactly what the RulesService engine hands the gate.
      const json = await runCli(
        [
          'explain',
          '--flow',
          'finance',
          '--applet',
          'dial',
          '--from',
          'anonymous',
          '--to',
          '2125550123',
          '--language',
          'es',
          '--json',
        ],
        env,
      );
      const handle = openDb(db.url);
      try {
        const engine = await new RulesService(createStore(handle).rules, policySettings(loadConfig(env))).engine();
        const gate = engine.decide({
          pbx: 'asterisk',
          direction: 'inbound',
          flow: 'finance',
          applet: 'dial',
          campaign: null,
          from: 'anonymous',
          to: '2125550123',
          agent: null,
          language: 'es',
        });
        expect(JSON.parse(json.out.join('\n'))).toEqual(gate);
        expect(gate).toMatchObject({
          tier: 'extended',
          consent: 'announce',
          greeting: { sound: 'callrec/announce', language: 'es' },
        });
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
      fs.writeFileSync(
        file,
        'flows:\n  only-this:\n    defaults: { record: from-answer }\n  sales:\n    applets:\n      dial:\n        kind: dial\n        consent: maybe\n',
      );
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
    [
      ['explain', '--direction', 'sideways'],
      2,
      /--direction must be one of inbound, outbound, internal, not "sideways"/,
    ],
    [['explain', '--flwo', 'sales'], 2, /Unknown option '--flwo'/],
  ])('%j', async (argv, code, message) => {
    const r = await runCli(argv, env());
    expect(r.code).toBe(code);
    expect(r.err.join('\n')).toMatch(message);
  });

  describe('places +1 numbers by the generated area code data, and the unplaceable strictest', () => {
    const e = env();
    beforeAll(async () => {
      // An opt-in jurisdiction somewhere makes "the strictest configured" visibly stricter than announce.
      expect((await runCli(['explain'], e)).code).toBe(0); // migrates the fresh database
      const handle = openDb(e.CALLREC_DB_URL);
      try {
        await createStore(handle).rules.putJurisdiction({
          code: 'US-NH',
          name: 'New Hampshire',
          allPartyConsent: true,
          minConsent: 'opt-in',
        });
      } finally {
        await handle.close();
      }
    });
    // Outbound: the built-in account setting records with consent none, so every raise is a jurisdiction's.
    const explainOutbound = (from: string, to: string) =>
      runCli(['explain', '--direction', 'outbound', '--from', from, '--to', to], e);

    it('answers announce for a Los Angeles 738 number, with the California reason and the data version', async () => {
      const r = await explainOutbound('+17385550100', '+12125550123');
      expect(r.code).toBe(0);
      expect(r.out).toEqual(
        expect.arrayContaining([
          'consent        announce',
          'jurisdictions  US-CA',
          `placed         caller +17385550100: US-CA by area code 738 in ${AREA_CODE_DATA_VERSION} data`,
          `               callee +12125550123: US-NY by area code 212 in ${AREA_CODE_DATA_VERSION} data`,
          '  3. caller +17385550100 is in US-CA (California), which requires at least announce (all-party consent)',
        ]),
      );
    });

    it.each([
      ['+18005550100', 'area code 800 is toll-free, with no location'],
      ['+15005550100', 'area code 500 is personal (5XX), with no location'],
      ['+12375550100', `area code 237 is not in ${AREA_CODE_DATA_VERSION} data`],
    ])('answers the strictest consent (opt-in) for %s, saying why', async (number, why) => {
      const r = await explainOutbound('201', number);
      expect(r.out).toEqual(
        expect.arrayContaining([
          'consent        opt-in',
          'jurisdictions  unknown',
          `  3. callee number ${number} cannot be placed: ${why}: treated as the strictest configured jurisdiction, which requires at least opt-in`,
        ]),
      );
    });
  });

  it('explains an outbound campaign call on an empty database with the built-in defaults', async () => {
    await expectExplains(
      ['--direction', 'outbound', '--campaign', 'x', '--from', '201', '--to', '+442079460000'],
      env(),
      [
        'record         from-answer',
        'consent        announce',
        'jurisdictions  GB',
        '  1. outbound call, campaign "x" is not configured: account outbound setting applies',
      ],
    );
  });
});
