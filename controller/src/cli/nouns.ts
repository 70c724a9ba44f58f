// `callrec <noun> <verb>` for the commands that predate that shape (migrate, explain, install,
// flows): the same commands under a noun. The old names keep working; cron lines and scripts
// written against them must not break.
import type { CliIo } from './io';

const NOUNS: Record<string, { summary: string; verbs: Record<string, readonly string[]> }> = {
  db: {
    summary: 'the database',
    verbs: { migrate: ['migrate', 'latest'], status: ['migrate', 'status'], rollback: ['migrate', 'down'] },
  },
  rules: {
    summary: 'the recording rules',
    verbs: { explain: ['explain'], import: ['flows', 'import'], export: ['flows', 'export'] },
  },
  pbx: { summary: 'the PBX', verbs: { install: ['install'] } },
};

const verbList = (verbs: object): string => Object.keys(verbs).join(', ');

/**
 * The command line with a noun and verb turned into the command they name; a number is the exit
 * code when the line stopped at the noun (its verbs printed: 0 for --help, 2 for a missing or
 * unknown verb, named on stderr).
 */
export function resolveNoun(argv: readonly string[], io: CliIo): string[] | number {
  const [noun, verb, ...rest] = argv;
  const n = noun === undefined ? undefined : NOUNS[noun];
  if (!n) return [...argv];
  const target = verb === undefined ? undefined : n.verbs[verb];
  if (target) return [...target, ...rest];
  if (verb === '--help' || verb === '-h') {
    io.out(
      `usage: callrec ${noun} <${verbList(n.verbs)}> [options]   (${n.summary}; callrec ${noun} <verb> --help for its options)`,
    );
    return 0;
  }
  io.err(
    `callrec ${noun}: ${verb === undefined ? 'which verb?' : `unknown verb "${verb}";`} use one of ${verbList(n.verbs)}`,
  );
  return 2;
}

/** For `callrec help`: one line per noun with the commands it stands for. */
export function nounHelp(): string[] {
  return Object.entries(NOUNS).map(
    ([noun, n]) =>
      `  ${noun.padEnd(10)} ${Object.entries(n.verbs)
        .map(([v, t]) => `${v} (= ${t.join(' ')})`)
        .join(', ')}`,
  );
}
