import { decide } from '../../controller/src/policy/decide';
import { CONSENT_MODES, RECORD_MODES, type Rule } from '../../controller/src/policy/rules';
import type { Direction } from '../../controller/src/domain/records';
import { facts, flow, NY, ruleSet, SETTINGS, TX } from '../helpers/rules';

const DIRECTIONS: Direction[] = ['inbound', 'outbound', 'internal'];
const MATRIX = DIRECTIONS.flatMap((d) => RECORD_MODES.flatMap((r) => CONSENT_MODES.map((c) => [d, r, c] as const)));

describe('decide: every record mode x consent mode x direction', () => {
  it.each(MATRIX)('%s call, record %s, consent %s', (direction, record, consent) => {
    const rule = { record, consent };
    const rules = ruleSet({
      flows: [flow('sales', {}, { dial: rule })],
      campaigns: [{ name: 'promo', enabled: true, rule }],
      account: { internal: { ...ruleSet().account.internal, ...rule } as Rule },
    });
    const internal = direction === 'internal';
    const d = decide(
      facts({
        direction,
        flow: 'sales',
        applet: 'dial',
        campaign: 'promo',
        from: internal ? '201' : NY,
        to: internal ? '202' : TX,
      }),
      rules,
      SETTINGS,
    );
    const expected = record === 'off' ? 'none' : consent;
    expect(d.record).toBe(record);
    expect(d.consent).toBe(expected);
    expect(d.greeting).toEqual(
      expected === 'none' ? null : { prompt: expected, sound: `callrec/${expected}`, language: 'en' },
    );
    expect(d.source).toBe({ inbound: 'applet', outbound: 'campaign', internal: 'internal' }[direction]);
    expect(d.jurisdictions).toEqual([]);
  });
});

describe('decide: precedence', () => {
  const rules = ruleSet({
    account: {
      inboundDefault: { ...ruleSet().account.inboundDefault, record: 'from-answer', consent: 'announce', beep: true },
    },
    flows: [
      flow(
        'sales',
        { record: 'from-ringing', tier: 'extended' },
        { dial: { consent: 'opt-out' }, vm: { record: 'off' } },
      ),
      flow('old', { record: 'on-demand' }, {}, false),
    ],
    campaigns: [
      { name: 'promo', enabled: true, rule: { consent: 'opt-in' } },
      { name: 'paused', enabled: false, rule: { record: 'off' } },
    ],
  });
  it.each([
    [
      'applet rule over flow default over account default, field by field',
      { flow: 'sales', applet: 'dial' },
      { record: 'from-ringing', consent: 'opt-out', tier: 'extended', beep: true, source: 'applet', fallback: null },
    ],
    [
      'flow default when the applet has no rule',
      { flow: 'sales', applet: 'queue' },
      {
        record: 'from-ringing',
        consent: 'announce',
        tier: 'extended',
        source: 'flow',
        fallback: 'flow "sales" has no rule for applet "queue"',
      },
    ],
    ['flow default when the call names no applet', { flow: 'sales' }, { record: 'from-ringing', source: 'flow' }],
    [
      'account default for a missing flow',
      { flow: 'nope', applet: 'dial' },
      {
        record: 'from-answer',
        consent: 'announce',
        tier: 'standard',
        source: 'account-default',
        fallback: 'flow "nope" is not configured',
      },
    ],
    [
      'account default for a disabled flow',
      { flow: 'old', applet: 'dial' },
      { record: 'from-answer', source: 'account-default', fallback: 'flow "old" is disabled' },
    ],
    ['account default when the call names no flow', {}, { record: 'from-answer', source: 'account-default' }],
    [
      'an applet rule may switch recording off',
      { flow: 'sales', applet: 'vm' },
      { record: 'off', consent: 'none', greeting: null },
    ],
    [
      'campaign over the account outbound setting',
      { direction: 'outbound', campaign: 'promo' },
      { record: 'from-answer', consent: 'opt-in', source: 'campaign' },
    ],
    [
      'account outbound setting (on by default) without a campaign',
      { direction: 'outbound' },
      { record: 'from-answer', consent: 'none', source: 'outbound', fallback: null },
    ],
    [
      'account outbound setting for a disabled campaign',
      { direction: 'outbound', campaign: 'paused' },
      { record: 'from-answer', source: 'outbound', fallback: 'campaign "paused" is disabled' },
    ],
    [
      'account outbound setting for an unknown campaign',
      { direction: 'outbound', campaign: 'x' },
      { record: 'from-answer', source: 'outbound', fallback: 'campaign "x" is not configured' },
    ],
    [
      'internal calls are off by default',
      { direction: 'internal', from: '201', to: '202' },
      { record: 'off', source: 'internal' },
    ],
  ] as const)('%s', (_name, f, expected) => {
    expect(decide(facts(f), rules, SETTINGS)).toMatchObject(expected);
  });

  it('never throws for a missing flow and says why in the reasons', () => {
    const d = decide(facts({ flow: 'ghost', applet: 'dial' }), ruleSet(), SETTINGS);
    expect(d.reasons[0]).toBe('flow "ghost" is not configured: account default rule applies');
  });

  it('words the reasons so an admin can follow them', () => {
    const d = decide(facts({ flow: 'sales', applet: 'dial', from: '+13105550100' }), rules, SETTINGS);
    expect(d.reasons).toEqual([
      'applet rule "sales/dial" (dial) applies, over the flow default',
      'record from-ringing, consent opt-out, extended tier (7 years), pause allowed, beep, mono',
      'caller +13105550100 is in US-CA (California), which requires at least announce (all-party consent)',
      "the rule's consent opt-out already satisfies that",
    ]);
  });
});

describe('decide: greeting', () => {
  const rules = ruleSet({
    flows: [
      flow('f', { record: 'from-answer', consent: 'opt-in', greeting: { en: 'custom/f-en', de: 'custom/f-de' } }),
    ],
  });
  it.each([
    [null, { prompt: 'opt-in', sound: 'custom/f-en', language: 'en' }],
    ['es', { prompt: 'opt-in', sound: 'callrec/opt-in', language: 'es' }],
    ['es-MX', { prompt: 'opt-in', sound: 'callrec/opt-in', language: 'es' }],
    ['de', { prompt: 'opt-in', sound: 'custom/f-de', language: 'de' }],
    ['fr', { prompt: 'opt-in', sound: 'custom/f-en', language: 'en' }],
  ])('language %s', (language, greeting) => {
    const d = decide(facts({ flow: 'f', language }), rules, SETTINGS);
    expect(d.greeting).toEqual(greeting);
    if (language === 'fr') expect(d.reasons).toContain('no greeting in language "fr": using en');
  });
});

describe('decide: the user placing an outbound call', () => {
  const rules = (mode: 'always' | 'always-with-pause' | 'on-demand', tier: 'extended' | null = null) =>
    ruleSet({
      campaigns: [{ name: 'quiet', enabled: true, rule: { record: 'off', consent: 'none' } }],
      users: [{ id: '201', mode, tier }],
    });
  const placed = (agent: string | null, campaign: string | null, to = TX) =>
    facts({ direction: 'outbound', agent, campaign, from: '201', to });

  it.each([
    ['always', 'from-answer', false],
    ['always-with-pause', 'from-answer', true],
    ['on-demand', 'on-demand', true],
  ] as const)('mode %s: record %s, pause %s, over the account outbound setting', (mode, record, pause) => {
    const d = decide(placed('201', null), rules(mode), SETTINGS);
    expect(d).toMatchObject({ record, pauseAllowed: pause, consent: 'none' });
    expect(d.reasons).toContain(
      `user "201" places the call, mode ${mode}: record ${record}, ${pause ? 'pause allowed' : 'no pause'}; consent as the rule says`,
    );
  });

  it("keeps the rule's consent and the callee's jurisdiction, and takes the longer tier", () => {
    const d = decide(placed('201', null, '+14155550100'), rules('always', 'extended'), SETTINGS);
    expect(d).toMatchObject({ record: 'from-answer', consent: 'announce', tier: 'extended' });
    expect(d.jurisdictions).toEqual(['US-CA']);
  });

  it('keeps a do-not-record campaign off, whatever the mode', () => {
    for (const mode of ['always', 'on-demand'] as const)
      expect(decide(placed('201', 'quiet'), rules(mode), SETTINGS)).toMatchObject({ record: 'off', consent: 'none' });
  });

  it('leaves an agent who is no configured user, and inbound calls, to the rules', () => {
    expect(decide(placed('999', 'quiet'), rules('always'), SETTINGS).record).toBe('off');
    const inbound = decide(
      facts({ direction: 'inbound', agent: '201', from: NY, to: TX }),
      rules('on-demand'),
      SETTINGS,
    );
    expect(inbound.record).toBe(ruleSet().account.inboundDefault.record);
  });
});
