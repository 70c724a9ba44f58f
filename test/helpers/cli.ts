import { main } from '../../controller/src/cli/main';
import type { CliIo } from '../../controller/src/cli/io';

export interface CliRun {
  code: number;
  out: string[];
  err: string[];
}

/** Runs the CLI in-process with its own environment and captured output. */
export async function runCli(argv: string[], env: Record<string, string | undefined>): Promise<CliRun> {
  const out: string[] = [];
  const errs: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => errs.push(l), env: { CALLREC_LOG_LEVEL: 'error', ...env } };
  const code = await main(argv, io);
  return { code, out, err: errs };
}
