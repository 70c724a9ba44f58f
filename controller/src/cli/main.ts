// `callrec <command>`: one file per command, registered here.
import { doctor } from './doctor';
import { explain } from './explain';
import { flows } from './flows';
import { install } from './install';
import { processIo, type CliCommand, type CliIo } from './io';
import { nounHelp, resolveNoun } from './nouns';
import { keys } from './keys';
import { migrate } from './migrate';
import { reconcile } from './reconcile';
import { retention } from './retention';
import { start } from './start';
import { testCall } from './test-call';

export const COMMANDS: Record<string, CliCommand> = {
  start,
  migrate,
  doctor,
  flows,
  explain,
  install,
  keys,
  retention,
  reconcile,
  'test-call': testCall,
};

function help(io: CliIo): void {
  io.out('usage: callrec <noun> <verb> [options]   (--json: retention, doctor, keys list, explain; see README)\n');
  for (const [name, c] of Object.entries(COMMANDS))
    io.out(`  ${name.padEnd(10)} ${c.summary}\n             ${c.usage}`);
  io.out('\nThe same commands by noun:');
  for (const line of nounHelp()) io.out(line);
  io.out('\nConfiguration: callrec.yaml (path in CALLREC_CONFIG) and CALLREC_* environment variables; see README.');
}

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const words = resolveNoun(argv, io);
  if (typeof words === 'number') return words;
  const [name, ...rest] = words;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    help(io);
    return name ? 0 : 2;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    io.err(
      `callrec: unknown command "${name}"; use one of ${Object.keys(COMMANDS).join(', ')} (callrec help says what each does)`,
    );
    return 2;
  }
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
