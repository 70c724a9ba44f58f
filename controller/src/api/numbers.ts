// The stored forms a searched number may have: E.164 when the gate could normalize it (read with
// the configured default country, as the gate reads it), otherwise the digits as dialled.
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

export function storedForms(query: string, country: CountryCode): string[] {
  const compact = query.replace(/[\s().-]/g, '');
  const forms = new Set<string>([compact]);
  const parsed = parsePhoneNumberFromString(query, country);
  if (parsed?.isPossible()) forms.add(parsed.number);
  // "0044 20 ..." and "+44 20 ..." are the same number; the international prefix is dialled form.
  if (compact.startsWith('00')) {
    const intl = parsePhoneNumberFromString(`+${compact.slice(2)}`);
    if (intl?.isPossible()) forms.add(intl.number);
  }
  return [...forms];
}
