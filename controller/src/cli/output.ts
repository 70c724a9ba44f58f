// `--json` for every command: the figures printed for people, as one JSON document on stdout
// (progress, if any, stays on stderr), so cron wrappers and monitoring parse, not scrape.
import type { CliIo } from './io';

/** Takes `--json` out of the arguments wherever it stands, so each command's own parser never sees it. */
export function takeJson(args: readonly string[]): { json: boolean; args: string[] } {
  return { json: args.includes('--json'), args: args.filter((a) => a !== '--json') };
}

/** Dates become ISO strings (JSON.stringify calls toJSON). */
export function printJson(io: CliIo, doc: unknown): void {
  io.out(JSON.stringify(doc, null, 2));
}
