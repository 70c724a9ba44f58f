// Generates controller/src/policy/data/nanp-area-codes.ts (+1 area code -> jurisdiction) from
// Google libphonenumber's data, through a reduced extract committed beside it (nanp-source.txt),
// so a test can regenerate the module and compare without the network.
//   npm run data:area-codes -- <libphonenumber clone or git dir> [ref]   re-extract, then generate
//   npm run data:area-codes                                              generate from the extract
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const DATA_DIR = path.join(__dirname, '../controller/src/policy/data');
export const SOURCE_FILE = path.join(DATA_DIR, 'nanp-source.txt');
export const MODULE_FILE = path.join(DATA_DIR, 'nanp-area-codes.ts');

const GEOCODING = 'resources/geocoding/en/1.txt';
const METADATA = 'resources/PhoneNumberMetadata.xml';
// The US number types that hold whole area codes with no location; their names as callrec says them.
const NON_GEOGRAPHIC = {
  tollFree: 'toll-free',
  premiumRate: 'premium-rate',
  personalNumber: 'personal (5XX)',
} as const;
type NonGeographicType = keyof typeof NON_GEOGRAPHIC;

// State and province names as the geocoding file writes them (its own spelling variants included).
const US_STATES: Record<string, string> = {
  Alabama: 'AL',
  Alaska: 'AK',
  Arizona: 'AZ',
  Arkansas: 'AR',
  California: 'CA',
  Colorado: 'CO',
  Connecticut: 'CT',
  Delaware: 'DE',
  'Washington D.C.': 'DC',
  Florida: 'FL',
  Georgia: 'GA',
  Hawaii: 'HI',
  Idaho: 'ID',
  Illinois: 'IL',
  Indiana: 'IN',
  Iowa: 'IA',
  Kansas: 'KS',
  Kentucky: 'KY',
  Louisiana: 'LA',
  Maine: 'ME',
  Maryland: 'MD',
  Massachusetts: 'MA',
  Michigan: 'MI',
  Minnesota: 'MN',
  Mississippi: 'MS',
  Missouri: 'MO',
  Montana: 'MT',
  Nebraska: 'NE',
  Nevada: 'NV',
  'New Hampshire': 'NH',
  'New Jersey': 'NJ',
  'New Mexico': 'NM',
  'New York': 'NY',
  'North Carolina': 'NC',
  'North Dakota': 'ND',
  Ohio: 'OH',
  Oklahoma: 'OK',
  Oregon: 'OR',
  Pennsylvania: 'PA',
  'Rhode Island': 'RI',
  'South Carolina': 'SC',
  'South Dakota': 'SD',
  Tennessee: 'TN',
  Texas: 'TX',
  Utah: 'UT',
  Vermont: 'VT',
  Virginia: 'VA',
  'Washington State': 'WA',
  'West Virginia': 'WV',
  Wisconsin: 'WI',
  Wyoming: 'WY',
};
const CA_PROVINCES: Record<string, string> = {
  Alberta: 'AB',
  'British Columbia': 'BC',
  'British Colombia': 'BC',
  Manitoba: 'MB',
  'New Brunswick': 'NB',
  'Newfoundland and Labrador': 'NL',
  'Nova Scotia': 'NS',
  'Northwest Territories': 'NT',
  Nunavut: 'NU',
  Ontario: 'ON',
  'Prince Edward Island': 'PE',
  Quebec: 'QC',
  Saskatchewan: 'SK',
  Yukon: 'YT',
};
const US_POSTAL = new Set(Object.values(US_STATES));
const CA_POSTAL = new Set(Object.values(CA_PROVINCES));

/** The jurisdiction codes a geocoding description names ("Ohio", "Toronto, ON", "Nova Scotia/Prince Edward Island"). */
export function regionsOf(description: string): string[] | null {
  const codes: string[] = [];
  for (const part of description.split('/')) {
    const postal = /, ([A-Z]{2})$/.exec(part)?.[1];
    const us = US_STATES[part] ?? (postal && US_POSTAL.has(postal) ? postal : undefined);
    const ca = CA_PROVINCES[part] ?? (postal && CA_POSTAL.has(postal) ? postal : undefined);
    if (us) codes.push(`US-${us}`);
    else if (ca) codes.push(`CA-${ca}`);
    else return null;
  }
  return codes;
}

/** The area codes (200-999) a metadata leadingDigits pattern covers whole. */
function expandLeadingDigits(pattern: string): string[] {
  const re = new RegExp(`^(?:${pattern})$`);
  return allAreaCodes().filter((npa) => re.test(npa));
}

function allAreaCodes(): string[] {
  return Array.from({ length: 800 }, (_, i) => String(200 + i));
}

const strip = (xml: string) => xml.replace(/<!--[\s\S]*?-->/g, '').replace(/\s+/g, '');

// The state and province names above are ours: check them against the data's own postal suffixes.
// Most exchange lines of an area code ("Tampa, FL") name the place its area line does ("Florida");
// a few do not (a rate centre across a border), so the test is the most frequent suffix per name.
function checkNames(lines: string[], areaLevel: Map<string, string[] | null>): void {
  const tally = new Map<string, Map<string, number>>();
  const names = new Map(lines.filter((l) => l.indexOf('|') === 4).map((l) => [l.slice(1, 4), l.slice(5)]));
  for (const l of lines) {
    const npa = l.slice(1, 4);
    const area = areaLevel.get(npa);
    if (area === null) throw new Error(`${GEOCODING}: no state or province in "${l}"`);
    if (!area || l.indexOf('|') === 4) continue;
    const name = names.get(npa) ?? '';
    const counts = tally.get(name) ?? new Map<string, number>();
    for (const c of regionsOf(l.slice(l.indexOf('|') + 1)) ?? ['?']) counts.set(c, (counts.get(c) ?? 0) + 1);
    tally.set(name, counts);
  }
  for (const [name, counts] of tally) {
    const top = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
    if (top && !regionsOf(name)?.includes(top))
      throw new Error(`${GEOCODING}: "${name}" exchanges are mostly in ${top}`);
  }
}

/** Reduces the two upstream files to what generation reads, keeping their lines and values verbatim. */
export function extract(geocoding: string, metadata: string, commit: string, release: string): string {
  const territories: string[] = [];
  const covered = new Set<string>();
  for (const [, attrs = ''] of metadata.matchAll(/<territory\b([^>]*)>/g)) {
    if (!/\bcountryCode="1"/.test(attrs)) continue;
    const id = /\bid="([A-Z]{2})"/.exec(attrs)?.[1];
    const leading = /\bleadingDigits="([^"]+)"/.exec(attrs)?.[1];
    if (!id) throw new Error(`a +1 territory without an id: ${attrs.trim()}`);
    territories.push(leading ? `territory ${id} ${leading}` : `territory ${id}`);
    if (leading) for (const npa of expandLeadingDigits(leading)) covered.add(npa);
  }
  const us = /<territory id="US"[\s\S]*?<\/territory>/.exec(metadata)?.[0] ?? '';
  const patterns = (Object.keys(NON_GEOGRAPHIC) as NonGeographicType[]).map((type) => {
    const block = new RegExp(`<${type}>[\\s\\S]*?<nationalNumberPattern>([\\s\\S]*?)</nationalNumberPattern>`).exec(us);
    if (!block?.[1]) throw new Error(`no US ${type} pattern in ${METADATA}`);
    return `pattern ${type} ${strip(block[1])}`;
  });
  const lines = geocoding.split('\n').filter((l) => /^1[2-9]\d\d\d*\|/.test(l) && !covered.has(l.slice(1, 4)));
  const areaLevel = new Map(
    lines.filter((l) => l.indexOf('|') === 4).map((l) => [l.slice(1, 4), regionsOf(l.slice(5))]),
  );
  checkNames(lines, areaLevel);
  // An area code with no line of its own is placed by its exchange lines: one line per region they name.
  const seen = new Set<string>();
  const kept = lines.filter((l) => {
    const npa = l.slice(1, 4);
    if (l.indexOf('|') === 4) return true;
    if (areaLevel.has(npa)) return false;
    const regions = regionsOf(l.slice(l.indexOf('|') + 1));
    if (!regions) throw new Error(`${GEOCODING}: no state or province in "${l}"`);
    const key = `${npa} ${regions.join(' ')}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return [
    '# Reduced from google/libphonenumber (Apache License 2.0) by scripts/nanp-area-codes.ts; regenerate, do not edit.',
    `commit ${commit}`,
    `release ${release}`,
    `# ${METADATA}: the +1 territories (id, leadingDigits) and the US non-geographic number patterns`,
    ...territories,
    ...patterns,
    `# ${GEOCODING}: area code lines; for an area code without one, one exchange line per region named`,
    ...kept,
    '',
  ].join('\n');
}

interface Source {
  commit: string;
  release: string;
  regions: Map<string, Set<string>>;
  kinds: Map<string, string>;
}

function parseSource(text: string): Source {
  const field = (name: string) => new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? '';
  const regions = new Map<string, Set<string>>();
  const add = (npa: string, codes: string[]) => {
    const set = regions.get(npa) ?? new Set<string>();
    for (const c of codes) set.add(c);
    regions.set(npa, set);
  };
  const lines = text.split('\n');
  for (const [, id = '', leading] of lines.map((l) => /^territory ([A-Z]{2})(?: (\S+))?$/.exec(l) ?? [])) {
    if (leading) for (const npa of expandLeadingDigits(leading)) add(npa, [id]);
  }
  const geo = lines.filter((l) => /^1\d+\|/.test(l));
  const areaLevel = new Set(geo.filter((l) => l.indexOf('|') === 4).map((l) => l.slice(1, 4)));
  const territorial = new Set(regions.keys());
  for (const l of geo) {
    const npa = l.slice(1, 4);
    if (territorial.has(npa) || (areaLevel.has(npa) && l.indexOf('|') !== 4)) continue;
    const codes = regionsOf(l.slice(l.indexOf('|') + 1));
    if (!codes) throw new Error(`no state or province in "${l}"`);
    add(npa, codes);
  }
  const kinds = new Map<string, string>();
  const patterns = lines.flatMap((l) => {
    const m = /^pattern (\w+) (\S+)$/.exec(l);
    return m ? [[NON_GEOGRAPHIC[m[1] as NonGeographicType], new RegExp(`^(?:${m[2]})$`)] as const] : [];
  });
  const exchanges = allAreaCodes();
  for (const npa of allAreaCodes().filter((a) => !regions.has(a))) {
    const hit = patterns.find(([, re]) => exchanges.some((nxx) => re.test(`${npa}${nxx}0000`)));
    if (hit) kinds.set(npa, hit[0]);
  }
  return { commit: field('commit'), release: field('release'), regions, kinds };
}

function groupBy(entries: Iterable<readonly [string, Iterable<string>]>): Array<[string, string]> {
  const groups = new Map<string, string[]>();
  for (const [npa, keys] of entries) for (const k of keys) groups.set(k, [...(groups.get(k) ?? []), npa]);
  return [...groups].sort(([a], [b]) => a.localeCompare(b)).map(([k, npas]) => [k, npas.sort().join(' ')]);
}

/** The TypeScript module generated from an extract. */
export function generate(sourceText: string): string {
  const s = parseSource(sourceText);
  if (!/^[0-9a-f]{40}$/.test(s.commit) || !s.release) throw new Error('the extract names no commit or release');
  const obj = (pairs: Array<[string, string]>) => pairs.map(([k, v]) => `  '${k}': '${v}',`);
  return [
    `// Generated by scripts/nanp-area-codes.ts from google/libphonenumber ${s.commit}`,
    `// (release ${s.release}): ${GEOCODING} and ${METADATA}, reduced to nanp-source.txt. Do not edit.`,
    `export const AREA_CODE_DATA_VERSION = 'libphonenumber ${s.release} (${s.commit.slice(0, 7)})';`,
    '',
    '/** Jurisdiction -> the +1 area codes in it; an area code two regions share is listed under both. */',
    'export const AREA_CODES_BY_JURISDICTION: Readonly<Record<string, string>> = {',
    ...obj(groupBy(s.regions)),
    '};',
    '',
    '/** Area codes that have no location, by kind. */',
    'export const NON_GEOGRAPHIC_AREA_CODES: Readonly<Record<string, string>> = {',
    ...obj(groupBy([...s.kinds].map(([npa, kind]) => [npa, [kind]] as const))),
    '};',
    '',
  ].join('\n');
}

function main(argv: string[]): void {
  const [repo, ref = 'HEAD'] = argv;
  if (repo) {
    const git = (...args: string[]) =>
      execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
    const commit = git('rev-parse', `${ref}^{commit}`).trim();
    const release = /: (v[\d.]+)\s*$/m.exec(git('show', `${commit}:release_notes.txt`))?.[1] ?? 'unreleased';
    fs.writeFileSync(
      SOURCE_FILE,
      extract(git('show', `${commit}:${GEOCODING}`), git('show', `${commit}:${METADATA}`), commit, release),
    );
  }
  fs.writeFileSync(MODULE_FILE, generate(fs.readFileSync(SOURCE_FILE, 'utf8')));
  process.stdout.write(
    `wrote ${path.relative(process.cwd(), MODULE_FILE)} from ${path.relative(process.cwd(), SOURCE_FILE)}\n`,
  );
}

if (require.main === module) main(process.argv.slice(2));
