import fs from 'node:fs';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { AREA_CODE_DATA, AREA_CODE_DATA_VERSION, placeAreaCode } from '../../controller/src/policy/area-codes';
import { decide, UNKNOWN_JURISDICTION } from '../../controller/src/policy/decide';
import { generate, MODULE_FILE, regionsOf, SOURCE_FILE } from '../../scripts/nanp-area-codes';
import { facts, flow, ruleSet, SETTINGS, TX } from '../helpers/rules';

const source = fs.readFileSync(SOURCE_FILE, 'utf8');
// The upstream geocoding lines the extract kept: "1738|California", "120320|Connecticut" ...
const geocoding = source
  .split('\n')
  .filter((l) => /^1\d{3,}\|/.test(l))
  .map((l) => [l.slice(1, 4), l.slice(l.indexOf('|') + 1)] as const);
const NO_OVERRIDES = new Map<string, string>();
const placed = (npa: string, overrides = NO_OVERRIDES) => {
  const p = placeAreaCode(npa, overrides);
  return p.placed ? p.codes : p.why;
};

describe('the generated area code data', () => {
  it('is what scripts/nanp-area-codes.ts generates from the committed libphonenumber extract', () => {
    expect(fs.readFileSync(MODULE_FILE, 'utf8')).toBe(generate(source));
  });

  it('names the libphonenumber release and commit it came from', () => {
    const commit = /^commit ([0-9a-f]{40})$/m.exec(source)?.[1] ?? '';
    const release = /^release (\S+)$/m.exec(source)?.[1] ?? '';
    expect(AREA_CODE_DATA_VERSION).toBe(`libphonenumber ${release} (${commit.slice(0, 7)})`);
    expect(release).toMatch(/^v\d+\.\d+\.\d+$/);
  });

  it('places every US and Canadian area code of the geocoding data where the data does', () => {
    const wrong = geocoding.filter(([npa, name]) => JSON.stringify(placed(npa)) !== JSON.stringify(regionsOf(name)));
    expect(wrong).toEqual([]);
    const codes = (country: string) =>
      new Set(
        geocoding.filter(([npa]) => (AREA_CODE_DATA.get(npa)?.[0] ?? '').startsWith(country)).map(([npa]) => npa),
      );
    expect(codes('US-').size).toBeGreaterThanOrEqual(359);
    expect(codes('CA-').size).toBeGreaterThanOrEqual(55);
  });

  it('agrees with libphonenumber-js on the country of every area code both know', () => {
    let checked = 0;
    for (const [npa, codes] of AREA_CODE_DATA) {
      const country = parsePhoneNumberFromString(`+1${npa}5550100`)?.country;
      if (!country) continue;
      expect([npa, codes.map((c) => c.split('-')[0])]).toEqual([npa, codes.map(() => country)]);
      checked++;
    }
    expect(checked).toBeGreaterThan(420);
  });

  it.each([
    ['738', ['US-CA']],
    ['748', ['US-CO']],
    ['310', ['US-CA']],
    ['212', ['US-NY']],
    ['202', ['US-DC']],
    ['206', ['US-WA']],
    ['416', ['CA-ON']],
    ['514', ['CA-QC']],
    ['257', ['CA-BC']],
    ['902', ['CA-NS', 'CA-PE']],
    ['867', ['CA-NT', 'CA-NU', 'CA-YT']],
    ['876', ['JM']],
    ['658', ['JM']],
    ['242', ['BS']],
    ['809', ['DO']],
    ['787', ['PR']],
    ['939', ['PR']],
    ['340', ['VI']],
    ['671', ['GU']],
    ['684', ['AS']],
    ['670', ['MP']],
    ['800', `area code 800 is toll-free, with no location`],
    ['888', `area code 888 is toll-free, with no location`],
    ['500', `area code 500 is personal (5XX), with no location`],
    ['900', `area code 900 is premium-rate, with no location`],
    ['237', `area code 237 is not in ${AREA_CODE_DATA_VERSION} data`],
    ['436', `area code 436 is not in ${AREA_CODE_DATA_VERSION} data`],
  ])('area code %s -> %j', (npa, expected) => {
    expect(placed(npa)).toEqual(expected);
  });

  it("puts the admin's own area code entry before the data", () => {
    const own = new Map([
      ['212', 'US-CA'],
      ['800', 'US'],
    ]);
    expect(placeAreaCode('212', own)).toEqual({
      placed: true,
      codes: ['US-CA'],
      by: 'area code 212 in your area_codes table',
    });
    expect(placed('800', own)).toEqual(['US']);
  });
});

describe('a number the data cannot place gets the strictest configured consent', () => {
  const strict = ruleSet({ flows: [flow('f', { record: 'from-answer', consent: 'none' })] });
  strict.jurisdictions.set('US-NH', {
    code: 'US-NH',
    name: 'New Hampshire',
    allPartyConsent: true,
    minConsent: 'opt-in',
  });
  const strictest = 'treated as the strictest configured jurisdiction, which requires at least opt-in';

  it.each([
    ['toll-free', '+18005550100', 'area code 800 is toll-free, with no location'],
    ['5XX', '+15005550100', 'area code 500 is personal (5XX), with no location'],
    ['900', '+19005550100', 'area code 900 is premium-rate, with no location'],
    ['an area code no data knows', '+12375550100', `area code 237 is not in ${AREA_CODE_DATA_VERSION} data`],
    ['a global non-geographic number', '+80012345678', 'it is a non-geographic international number'],
  ])('%s (%s)', (_n, number, why) => {
    const d = decide(facts({ flow: 'f', from: number, to: TX }), strict, SETTINGS);
    expect(d).toMatchObject({ consent: 'opt-in', from: number, jurisdictions: [UNKNOWN_JURISDICTION] });
    expect(d.reasons).toContain(`caller number ${number} cannot be placed: ${why}: ${strictest}`);
    expect(d.placed?.[0]).toBe(`caller ${number}: not placed (${why})`);
  });

  it('places a California 738 number, which the old hand-written table missed, and says by which data', () => {
    const d = decide(facts({ flow: 'f', from: '+17385550100', to: TX }), noConsent(), SETTINGS);
    expect(d).toMatchObject({ consent: 'announce', jurisdictions: ['US-CA'] });
    expect(d.reasons).toContain(
      'caller +17385550100 is in US-CA (California), which requires at least announce (all-party consent)',
    );
    expect(d.placed).toEqual([
      `caller +17385550100: US-CA by area code 738 in ${AREA_CODE_DATA_VERSION} data`,
      `callee ${TX}: US-TX by area code 214 in ${AREA_CODE_DATA_VERSION} data`,
    ]);
  });

  // Rule sets are not changed once loaded (the policy memoizes per rule set): each case builds its own.
  const noConsent = () => ruleSet({ flows: [flow('f', { record: 'from-answer', consent: 'none' })] });

  it('applies the stricter of the regions sharing an area code', () => {
    const r = noConsent();
    r.jurisdictions.set('CA-NS', {
      code: 'CA-NS',
      name: 'Nova Scotia',
      allPartyConsent: false,
      minConsent: 'announce',
    });
    r.jurisdictions.set('CA-PE', {
      code: 'CA-PE',
      name: 'Prince Edward Island',
      allPartyConsent: false,
      minConsent: 'opt-out',
    });
    const d = decide(facts({ flow: 'f', from: '+19025550100', to: TX }), r, SETTINGS);
    expect(d).toMatchObject({ consent: 'opt-out', jurisdictions: ['CA-PE'] });
    expect(d.placed?.[0]).toBe(
      `caller +19025550100: CA-NS or CA-PE by area code 902 in ${AREA_CODE_DATA_VERSION} data`,
    );
  });

  it('lets an admin place non-geographic numbers explicitly, with an area code entry and a jurisdiction', () => {
    const [entryOnly, withJurisdiction] = [noConsent(), noConsent()];
    for (const r of [entryOnly, withJurisdiction]) r.areaCodes.set('800', 'US-TF');
    withJurisdiction.jurisdictions.set('US-TF', {
      code: 'US-TF',
      name: 'US toll-free',
      allPartyConsent: false,
      minConsent: 'opt-out',
    });
    expect(decide(facts({ flow: 'f', from: '+18005550100', to: TX }), entryOnly, SETTINGS)).toMatchObject({
      consent: 'none',
      jurisdictions: [],
    });
    expect(decide(facts({ flow: 'f', from: '+18005550100', to: TX }), withJurisdiction, SETTINGS)).toMatchObject({
      consent: 'opt-out',
      jurisdictions: ['US-TF'],
    });
  });
});
