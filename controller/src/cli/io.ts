import { ConfigError, loadConfig, type Config } from '../config';
import { createLogger, type Logger } from '../util/logger';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  env: Record<string, string | undefined>;
  /** Where progress bars draw when it is a terminal (stderr); without it progress is plain err lines. */
  tty?: NodeJS.WriteStream;
}

export const processIo: CliIo = {
  out: (line) => {
    process.stdout.write(`${line}\n`);
  },
  err: (line) => {
    process.stderr.write(`${line}\n`);
  },
  env: process.env,
  tty: process.stderr,
};

export interface CliCommand {
  summary: string;
  usage: string;
  run(args: string[], io: CliIo): Promise<number>;
}

export const EXIT_CONFIG = 2;

/** Loads the configuration or prints one line per bad field; null means "exit EXIT_CONFIG". */
export function configOrReport(io: CliIo): Config | null {
  try {
    return loadConfig(io.env);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    for (const p of e.problems) io.err(`callrec: configuration error: ${p}`);
    return null;
  }
}

/** `stream`: stderr under --json, so stdout carries nothing but the document. */
export function cliLogger(cfg: Config, stream?: NodeJS.WritableStream): Logger {
  return createLogger({ level: cfg.log.level, format: cfg.log.format, stream });
}
