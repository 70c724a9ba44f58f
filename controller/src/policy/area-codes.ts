// Where a +1 area code is: the admin's own entry (table area_codes) first, then the data generated
// from libphonenumber (data/nanp-area-codes.ts). An area code neither knows cannot be placed; the
// caller of this treats it like a withheld number, since it may be anywhere.
import { AREA_CODE_DATA_VERSION, AREA_CODES_BY_JURISDICTION, NON_GEOGRAPHIC_AREA_CODES } from './data/nanp-area-codes';

export { AREA_CODE_DATA_VERSION };

function byAreaCode(groups: Readonly<Record<string, string>>): ReadonlyMap<string, readonly string[]> {
  const m = new Map<string, string[]>();
  for (const [key, npas] of Object.entries(groups))
    for (const npa of npas.split(' ')) m.set(npa, [...(m.get(npa) ?? []), key]);
  return m;
}

/** Area code -> the jurisdictions the data places it in (two or three where regions share one, e.g. 902). */
export const AREA_CODE_DATA = byAreaCode(AREA_CODES_BY_JURISDICTION);
const NON_GEOGRAPHIC = byAreaCode(NON_GEOGRAPHIC_AREA_CODES);

export type AreaCodePlace = { placed: true; codes: readonly string[]; by: string } | { placed: false; why: string };

export function placeAreaCode(npa: string, overrides: ReadonlyMap<string, string>): AreaCodePlace {
  const own = overrides.get(npa);
  if (own) return { placed: true, codes: [own], by: `area code ${npa} in your area_codes table` };
  const codes = AREA_CODE_DATA.get(npa);
  if (codes) return { placed: true, codes, by: `area code ${npa} in ${AREA_CODE_DATA_VERSION} data` };
  const kind = NON_GEOGRAPHIC.get(npa)?.[0];
  return {
    placed: false,
    why: kind
      ? `area code ${npa} is ${kind}, with no location`
      : `area code ${npa} is not in ${AREA_CODE_DATA_VERSION} data`,
  };
}
