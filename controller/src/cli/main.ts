// `callrec <command>`: one file per command, registered here.
import { doctor } from './doctor';
import { explain } from './explain';
import { flows } from './flows';
import { install } from './install';
import { processIo, type CliCommand, type CliIo } from './io';
import { keys } from './keys';
import { migrate } from './migrate';
import { retention } from './retention';
import { start } from './start';

export const COMMANDS: Record<string, CliCommand> = { start, migrate, doctor, flows, explain, install, keys, retention };

function help(io: CliIo): void {
  io.out('usage: callrec <command> [options]\n');
  for (const [name, c] of Object.entries(COMMANDS)) io.out(`  ${name.padEnd(10)} ${c.summary}\n             ${c.usage}`);
  io.out('\nConfiguration: callrec.yaml (path in CALLREC_CONFIG) and CALLREC_* environment variables; see README.');
}

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    help(io);
    return name ? 0 : 2;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    io.err(`callrec: unknown command "${name}"; run callrec help`);
    return 2;
  }
  try {
    return await cmd.run(rest, io);
  } catch (e) {
    io.err(`callrec ${name}: ${(e as Error).message}`);
    return 1;
  }
}
