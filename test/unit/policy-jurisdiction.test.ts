import examples from 'libphonenumber-js/examples.mobile.json';
import { getExampleNumber, type CountryCode } from 'libphonenumber-js';
import { SEEDED_JURISDICTIONS } from '../../controller/src/policy/data/jurisdictions';
import { AREA_CODE_DATA } from '../../controller/src/policy/area-codes';
import { decide, UNKNOWN_JURISDICTION } from '../../controller/src/policy/decide';
import { normalizeNumber } from '../../controller/src/policy/numbers';
import { facts, flow, NY, ruleSet, SETTINGS, TX } from '../helpers/rules';

// The rule asks for no consent at all, so every raise below comes from a jurisdiction.
const rules = ruleSet({ flows: [flow('f', { record: 'from-answer', consent: 'none' })] });

function exampleNumber(code: string): string {
  if (code.startsWith('US-')) {
    const npa = [...AREA_CODE_DATA].find(([, j]) => j.includes(code))?.[0];
    return `+1${npa ?? ''}5550123`;
  }
  return getExampleNumber(code as CountryCode, examples)?.number ?? '';
}

describe('each seeded jurisdiction raises consent to at least announce', () => {
  it.each(SEEDED_JURISDICTIONS.map((j) => [j.code, exampleNumber(j.code)]))(
    '%s (%s), as caller and as callee',
    (code, number) => {
      for (const [from, to] of [
        [number, NY],
        [TX, number],
      ]) {
        const d = decide(facts({ flow: 'f', from, to }), rules, SETTINGS);
        expect(d).toMatchObject({ consent: 'announce', jurisdictions: [code], greeting: { prompt: 'announce' } });
        expect(d.reasons).toContain('consent raised from none to announce: the stricter party wins');
      }
    },
  );

  it('leaves one-party jurisdictions alone', () => {
    expect(decide(facts({ flow: 'f', from: NY, to: '+61 2 9374 4000' }), rules, SETTINGS)).toMatchObject({
      consent: 'none',
      jurisdictions: [],
    });
  });
});

describe('the stricter party wins', () => {
  const strict = ruleSet({
    flows: [
      flow('f', { record: 'from-answer', consent: 'none' }),
      flow('g', { record: 'from-answer', consent: 'opt-in' }),
    ],
  });
  strict.jurisdictions.set('DE', { code: 'DE', name: 'Germany', allPartyConsent: true, minConsent: 'opt-in' });
  strict.jurisdictions.set('US-NY', { code: 'US-NY', name: 'New York', allPartyConsent: false, minConsent: 'opt-out' });
  it.each([
    [
      'caller in an opt-in jurisdiction, callee announce',
      'f',
      '+49 30 901820',
      '+13105550100',
      'opt-in',
      ['DE', 'US-CA'],
    ],
    ['caller announce, callee opt-out by min consent', 'f', '+13105550100', NY, 'opt-out', ['US-CA', 'US-NY']],
    ['a jurisdiction never lowers the rule', 'g', '+13105550100', TX, 'opt-in', ['US-CA']],
    ['withheld caller gets the strictest configured (opt-in)', 'f', 'anonymous', TX, 'opt-in', [UNKNOWN_JURISDICTION]],
    ['unreadable caller gets the strictest configured', 'f', 'not-a-number', TX, 'opt-in', [UNKNOWN_JURISDICTION]],
    ['extensions carry no jurisdiction', 'f', '201', TX, 'none', []],
  ])('%s', (_n, flowName, from, to, consent, jurisdictions) => {
    expect(decide(facts({ flow: flowName, from, to }), strict, SETTINGS)).toMatchObject({ consent, jurisdictions });
  });

  it('treats a withheld number as the strictest seeded jurisdiction (announce)', () => {
    const d = decide(facts({ flow: 'f', from: null }), rules, SETTINGS);
    expect(d).toMatchObject({ consent: 'announce', from: null, jurisdictions: [UNKNOWN_JURISDICTION] });
    expect(d.reasons).toContain(
      'caller number is withheld: treated as the strictest configured jurisdiction, which requires at least announce',
    );
  });

  it('does not apply jurisdictions to internal calls', () => {
    const r = ruleSet({ account: { internal: { ...ruleSet().account.internal, record: 'from-answer' } } });
    expect(decide(facts({ direction: 'internal', from: 'alice', to: null }), r, SETTINGS)).toMatchObject({
      consent: 'none',
      jurisdictions: [],
    });
  });
});

describe('number normalization', () => {
  it.each([
    ['GB national', '01234 567890', 'GB', '+441234567890'],
    ['GB international', '+44 1234 567890', 'GB', '+441234567890'],
    ['GB with country code, no plus', '441234567890', 'GB', '+441234567890'],
    ['GB with 00 prefix', '0044 1234 567890', 'GB', '+441234567890'],
    ['GB number from a US default country', '+44 1234 567890', 'US', '+441234567890'],
    ['US national, punctuated', '(310) 555-0100', 'US', '+13105550100'],
    ['US national, ten digits', '3105550100', 'US', '+13105550100'],
    ['US with country code, no plus', '13105550100', 'US', '+13105550100'],
    ['US international', '+1 310-555-0100', 'US', '+13105550100'],
    ['tel: URI', 'tel:+13105550100', 'US', '+13105550100'],
    ['SIP URI', 'sip:+13105550100@pbx.example.com', 'US', '+13105550100'],
  ])('%s: %s (default %s) -> %s', (_n, raw, country, e164) => {
    expect(normalizeNumber(raw, country)).toMatchObject({ kind: 'e164', e164 });
  });

  it.each([null, '', 'anonymous', 'Restricted', 'PRIVATE', 'unavailable'])('%p is withheld', (raw) => {
    expect(normalizeNumber(raw, 'US')).toEqual({ kind: 'withheld' });
  });

  it.each([
    ['201', { kind: 'extension', digits: '201' }],
    ['alice', { kind: 'unknown', raw: 'alice' }],
    ['+999123', { kind: 'unknown', raw: '+999123' }],
  ])('%s', (raw, expected) => {
    expect(normalizeNumber(raw, 'US')).toEqual(expected);
  });

  it('stores the normalized numbers in the decision', () => {
    expect(decide(facts({ from: '(310) 555-0100', to: '212 555 0123' }), rules, SETTINGS)).toMatchObject({
      from: '+13105550100',
      to: '+12125550123',
    });
  });
});
