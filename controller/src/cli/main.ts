// `callrec <command>`: one file per command, registered here.
import { processIo, type CliCommand, type CliIo } from './io';
import { nounHelp, resolveNoun } from './nouns';

// Each command's module is loaded when it runs: `callrec start` never loads doctor's probes of
// both PBXes, the progress bars or the installers (measured with the soak bench: see docs/performance.md).
// require, not import(): the compiled CommonJS and the swc-run sources resolve it alike.
/* eslint-disable @typescript-eslint/no-require-imports */
const lazy = (load: () => CliCommand) => async (): Promise<CliCommand> => load();
const COMMANDS: Record<string, () => Promise<CliCommand>> = {
  start: lazy(() => (require('./start') as typeof import('./start')).start),
  migrate: lazy(() => (require('./migrate') as typeof import('./migrate')).migrate),
  doctor: lazy(() => (require('./doctor') as typeof import('./doctor')).doctor),
  flows: lazy(() => (require('./flows') as typeof import('./flows')).flows),
  explain: lazy(() => (require('./explain') as typeof import('./explain')).explain),
  install: lazy(() => (require('./install') as typeof import('./install')).install),
  keys: lazy(() => (require('./keys') as typeof import('./keys')).keys),
  retention: lazy(() => (require('./retention') as typeof import('./retention')).retention),
  reconcile: lazy(() => (require('./reconcile') as typeof import('./reconcile')).reconcile),
  'test-call': lazy(() => (require('./test-call') as typeof import('./test-call')).testCall),
};
/* eslint-enable @typescript-eslint/no-require-imports */

async function help(io: CliIo): Promise<void> {
  io.out('usage: callrec <noun> <verb> [options]   (--json: retention, doctor, keys list, explain; see README)\n');
  for (const [name, load] of Object.entries(COMMANDS)) {
    const c = await load();
    io.out(`  ${name.padEnd(10)} ${c.summary}\n             ${c.usage}`);
  }
  io.out('\nThe same commands by noun:');
  for (const line of nounHelp()) io.out(line);
  io.out('\nConfiguration: callrec.yaml (path in CALLREC_CONFIG) and CALLREC_* environment variables; see README.');
}

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const words = resolveNoun(argv, io);
  if (typeof words === 'number') return words;
  const [name, ...rest] = words;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    await help(io);
    return name ? 0 : 2;
  }
  const load = COMMANDS[name];
  if (!load) {
    io.err(
      `callrec: unknown command "${name}"; use one of ${Object.keys(COMMANDS).join(', ')} (callrec help says what each does)`,
    );
    return 2;
  }
  const cmd = await load();
  // Anywhere on the line, before the command sees it: `flows import f.yaml --help` must not import.
  if (rest.some((a) => a === '--help' || a === '-h')) {
    io.out(`usage: ${cmd.usage}`);
    io.out(cmd.summary);
    return 0;
  }
  try {
    return await cmd.run(rest, io);
  } catch (e) {
    io.err(`callrec ${name}: ${(e as Error).message}`);
    return 1;
  }
}
