import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { clearNumberMemo, normalizeNumber } from '../../controller/src/policy/numbers';

// The North American fast path must agree with a full libphonenumber parse on every number the
// full parse accepts, in every written form.
describe('North American fast path', () => {
  const sample: string[] = [];
  for (let ac = 200; ac <= 999; ac += 7)
    for (const sub of ['2345678', '5550123', '9876543']) sample.push(`${ac}${sub}`);

  it.each(['US', 'CA'])('matches the full parse for +1, 1 and 10-digit forms with default country %s', (dc) => {
    clearNumberMemo();
    let checked = 0;
    for (const ten of sample) {
      const full = parsePhoneNumberFromString(`+1${ten}`);
      if (!full?.isValid()) continue;
      for (const form of [`+1${ten}`, `1${ten}`, ten, `(${ten.slice(0, 3)}) ${ten.slice(3, 6)}-${ten.slice(6)}`]) {
        expect(normalizeNumber(form, dc)).toEqual({ kind: 'e164', e164: full.number, country: full.country ?? null });
      }
      checked++;
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('leaves national digits to the full parse when the default country is outside the plan', () => {
    clearNumberMemo();
    // In the UK, 2125550123 is not a New York number.
    expect(normalizeNumber('2125550123', 'GB')).not.toMatchObject({ e164: '+12125550123' });
    expect(normalizeNumber('+12125550123', 'GB')).toEqual({ kind: 'e164', e164: '+12125550123', country: 'US' });
  });
});
