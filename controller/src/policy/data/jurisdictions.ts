// Seeded all-party-consent jurisdictions. The admin edits the jurisdictions table afterwards;
// this is only what a fresh database starts with. US states where every party must consent to
// a recording, plus the EU member states and the UK (GDPR / UK GDPR: the caller must be told).
import type { Jurisdiction } from '../rules';

const US_ALL_PARTY: ReadonlyArray<readonly [string, string]> = [
  ['US-CA', 'California'], ['US-DE', 'Delaware'], ['US-FL', 'Florida'], ['US-IL', 'Illinois'],
  ['US-MD', 'Maryland'], ['US-MA', 'Massachusetts'], ['US-MT', 'Montana'], ['US-NH', 'New Hampshire'],
  ['US-PA', 'Pennsylvania'], ['US-WA', 'Washington'],
];

const EUROPE: ReadonlyArray<readonly [string, string]> = [
  ['AT', 'Austria'], ['BE', 'Belgium'], ['BG', 'Bulgaria'], ['HR', 'Croatia'], ['CY', 'Cyprus'],
  ['CZ', 'Czechia'], ['DK', 'Denmark'], ['EE', 'Estonia'], ['FI', 'Finland'], ['FR', 'France'],
  ['DE', 'Germany'], ['GR', 'Greece'], ['HU', 'Hungary'], ['IE', 'Ireland'], ['IT', 'Italy'],
  ['LV', 'Latvia'], ['LT', 'Lithuania'], ['LU', 'Luxembourg'], ['MT', 'Malta'], ['NL', 'Netherlands'],
  ['PL', 'Poland'], ['PT', 'Portugal'], ['RO', 'Romania'], ['SK', 'Slovakia'], ['SI', 'Slovenia'],
  ['ES', 'Spain'], ['SE', 'Sweden'], ['GB', 'United Kingdom'],
];

export const SEEDED_JURISDICTIONS: readonly Jurisdiction[] = [...US_ALL_PARTY, ...EUROPE]
  .map(([code, name]) => ({ code, name, allPartyConsent: true, minConsent: 'announce' as const }));
