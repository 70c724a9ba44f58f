// The Dockerfile's build stage runs `npm ci`, which runs package.json's install lifecycle scripts
// (postinstall, prepare...): every file they need must be COPYed into that stage before it, and not
// left out by .dockerignore. No engine needed: this reads the three files.
import fs from 'node:fs';
import path from 'node:path';

const root = path.join(__dirname, '../..');
const read = (f: string) => fs.readFileSync(path.join(root, f), 'utf8');

// What `npm ci` runs for the project itself, in npm's order.
const INSTALL_LIFECYCLE = [
  'preinstall',
  'install',
  'postinstall',
  'prepublish',
  'preprepare',
  'prepare',
  'postprepare',
];

interface Stage {
  from: string;
  copied: string[];
  runs: string[];
}

/** Each FROM starts a stage; `COPY --from=...` lines bring nothing from the build context. */
function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  for (const line of lines) {
    const [op, ...rest] = line.split(/\s+/);
    const upper = op?.toUpperCase();
    if (upper === 'FROM') {
      stages.push({ from: rest.join(' '), copied: [], runs: [] });
      continue;
    }
    const stage = stages[stages.length - 1];
    if (!stage) continue;
    if ((upper === 'COPY' || upper === 'ADD') && !rest.some((a) => a.startsWith('--from='))) {
      const args = rest.filter((a) => !a.startsWith('--'));
      // Sources copied only before the first RUN count for that RUN: track order by snapshot.
      stage.copied.push(...args.slice(0, -1).map((a) => a.replace(/^\.\//, '').replace(/\/$/, '')));
    }
    if (upper === 'RUN') stage.runs.push(`${rest.join(' ')}\u0000${stage.copied.length}`);
  }
  return stages;
}

/** Files and folders a package.json script needs, following `npm run` and the commands we use. */
function scriptNeeds(scripts: Record<string, string>, name: string): string[] {
  const needs: string[] = [];
  for (const cmd of (scripts[name] ?? '')
    .split(/&&|\|\||;/)
    .map((c) => c.trim())
    .filter(Boolean)) {
    const words = cmd.split(/\s+/);
    if (words[0] === 'npm' && words[1] === 'run' && words[2]) needs.push(...scriptNeeds(scripts, words[2]));
    else if (words[0] === 'node')
      needs.push(
        ...words
          .slice(1)
          .filter((w) => /\.(c|m)?js$/.test(w))
          .map((w) => w.replace(/^\.\//, '')),
      );
    else if (words[0] === 'tsc') {
      const t = tsconfigNeeds(words[words.indexOf('-p') + 1] ?? 'tsconfig.json');
      needs.push(...t.files, ...t.include);
    } else throw new Error(`the Dockerfile test does not know what "${cmd}" (script ${name}) needs: teach scriptNeeds`);
  }
  return needs;
}

function tsconfigNeeds(file: string): { files: string[]; include: string[] } {
  const cfg = JSON.parse(read(file)) as { extends?: string; include?: string[] };
  const base = cfg.extends ? tsconfigNeeds(path.normalize(cfg.extends)) : { files: [], include: [] };
  // A config's own include replaces the one it extends; the extended file is needed either way.
  return {
    files: [file, ...base.files],
    include: cfg.include ? cfg.include.map((i) => i.split('/*')[0] as string) : base.include,
  };
}

/** .dockerignore lines as matchers (plain paths and `*` globs, as the file uses them). */
function ignored(rel: string, patterns: string[]): boolean {
  return patterns.some((p) => {
    const re = new RegExp(
      `^${p
        .replace(/^\.?\//, '')
        .replace(/\/$/, '')
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '[^/]*')}(/|$)`,
    );
    return re.test(rel);
  });
}

function coveredBy(rel: string, copied: string[]): boolean {
  return copied.some((src) => src === '.' || rel === src || rel.startsWith(`${src}/`));
}

describe('Dockerfile', () => {
  const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
  const stages = parseDockerfile(read('Dockerfile'));
  const ignore = read('.dockerignore')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));

  it('copies into the stage that runs npm ci every file an install lifecycle script needs', () => {
    const lifecycle = INSTALL_LIFECYCLE.filter((s) => pkg.scripts[s]);
    expect(lifecycle.length).toBeGreaterThan(0);
    const needs = ['package.json', 'package-lock.json', ...lifecycle.flatMap((s) => scriptNeeds(pkg.scripts, s))];
    expect(needs).toEqual(
      expect.arrayContaining(['scripts/lock-platforms.js', 'tsconfig.build.json', 'controller/src']),
    );
    const npmCi = stages.flatMap((st) =>
      st.runs
        .filter((r) => /\bnpm (ci|install)\b/.test(r))
        .map((r) => ({ st, copiedBefore: Number(r.split('\u0000')[1]) })),
    );
    expect(npmCi.length).toBeGreaterThan(0);
    for (const { st, copiedBefore } of npmCi) {
      const copied = st.copied.slice(0, copiedBefore);
      const missing = needs.filter(
        (n) => !coveredBy(n, copied) || ignored(n, ignore) || !fs.existsSync(path.join(root, n)),
      );
      expect({ stage: st.from, missing }).toEqual({ stage: st.from, missing: [] });
    }
  });

  it('reads the lifecycle scripts it is given (a break is reported, not hidden)', () => {
    expect(
      scriptNeeds(
        { postinstall: 'node scripts/x.js', prepare: 'npm run build', build: 'tsc -p tsconfig.build.json' },
        'prepare',
      ),
    ).toEqual(['tsconfig.build.json', 'tsconfig.json', 'controller/src', 'migrations']);
    expect(() => scriptNeeds({ postinstall: 'husky install' }, 'postinstall')).toThrow(/teach scriptNeeds/);
    const st = parseDockerfile('FROM a AS b\nCOPY x y ./\nRUN npm ci\nCOPY z ./\nFROM c\nCOPY --from=b /app/q ./q\n');
    expect(st.map((s) => s.copied)).toEqual([['x', 'y', 'z'], []]);
    expect(ignored('scripts/lock-platforms.js', ['scripts'])).toBe(true);
    expect(ignored('scripts/lock-platforms.js', ['node_modules', '*.log'])).toBe(false);
  });
});
