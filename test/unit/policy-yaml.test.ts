import fs from 'node:fs';
import path from 'node:path';
import { parseRulesYaml, toRulesYaml } from '../../controller/src/policy/flows-yaml';

const EXAMPLE = fs.readFileSync(path.join(__dirname, '../../flows.example.yaml'), 'utf8');

describe('flows YAML', () => {
  it('accepts the shipped example', () => {
    const r = parseRulesYaml(EXAMPLE);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(Object.keys(r.doc.flows ?? {})).toEqual(['sales', 'support', 'finance']);
    expect(r.doc.flows?.finance?.defaults?.tier).toBe('extended');
    expect(r.doc.users).toEqual({
      '201': { name: 'Ana (sales)', mode: 'always-with-pause' },
      '202': { name: 'Ben (finance)', mode: 'always', tier: 'extended' },
      '305': { name: 'Cleo (support lead)', mode: 'on-demand' },
    });
    expect(r.doc.flows?.sales?.applets?.dial).toMatchObject({
      kind: 'dial',
      record: 'from-ringing',
      consent: 'announce',
    });
  });

  it('prints what it parses back into the same document', () => {
    const r = parseRulesYaml(EXAMPLE);
    if (!r.ok) throw new Error(r.errors.join('\n'));
    expect(parseRulesYaml(toRulesYaml(r.doc))).toEqual(r);
  });

  it.each([
    [
      'a bad value, at its line and column',
      'flows:\n  sales:\n    applets:\n      dial:\n        kind: dial\n        record: sometimes\n',
      [
        'f.yaml:6:17: flows.sales.applets.dial.record: "sometimes" is not one of off, from-ringing, from-answer, on-demand',
      ],
    ],
    [
      'a misspelt setting, at the key',
      'flows:\n  sales:\n    defaults:\n      recrod: off\n',
      ['f.yaml:4:7: flows.sales.defaults.recrod: unknown setting "recrod"'],
    ],
    [
      'a missing applet kind, at the applet',
      'flows:\n  sales:\n    applets:\n      dial: { record: from-answer }\n',
      ['f.yaml:4:13: flows.sales.applets.dial.kind: is required (string)'],
    ],
    [
      'a bad flow name, at the name',
      'flows:\n  "sales line": {}\n',
      ['f.yaml:2:3: flows.sales line: a flow name must be 1-64 letters, digits, ".", "_" or "-"'],
    ],
    [
      'a wrong type, not as a missing field',
      'campaigns:\n  promo:\n    beep: loud\n',
      ['f.yaml:3:11: campaigns.promo.beep: Invalid input: expected boolean, received string'],
    ],
    ['broken YAML syntax', 'flows:\n  sales: [\n', [expect.stringMatching(/^f\.yaml:3:1: YAML syntax: /)]],
    [
      'a duplicate key',
      'flows:\n  sales: {}\n  sales: {}\n',
      [expect.stringMatching(/^f\.yaml:3:3: YAML syntax: Map keys must be unique/)],
    ],
    ['an unknown top-level section', 'flow:\n  sales: {}\n', ['f.yaml:1:1: flow: unknown setting "flow"']],
    [
      'a user without a mode, and one with an unknown mode',
      'users:\n  "202": { tier: extended }\n  "305": { mode: sometimes }\n',
      [
        'f.yaml:2:10: users.202.mode: is required (one of always, always-with-pause, on-demand)',
        'f.yaml:3:18: users.305.mode: "sometimes" is not one of always, always-with-pause, on-demand',
      ],
    ],
    [
      'a user id with a space',
      'users:\n  "agent 7": { mode: always }\n',
      [
        'f.yaml:2:3: users.agent 7: a user id is the agent id the PBX reports (202, alice@sales): 1-64 letters, digits, ".", "_", "@", "+" or "-"',
      ],
    ],
  ])('rejects %s', (_name, text, errors) => {
    expect(parseRulesYaml(text, 'f.yaml')).toEqual({ ok: false, errors });
  });

  it('accepts an empty file as no rules', () => {
    expect(parseRulesYaml('')).toEqual({ ok: true, doc: {} });
  });
});
