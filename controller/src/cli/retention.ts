// `callrec retention run|report`: the nightly purge for system cron, and what it did / will do.
import type { Config } from '../config';
import { tierLengths } from '../retention/schedule';
import { describeReport, describeRun, retentionReportData } from '../retention/report';
import { runRetention } from '../retention/runner';
import { createStore, migrationStatus, openDb, type Store } from '../store';
import { cliLogger, configOrReport, EXIT_CONFIG, type CliCommand, type CliIo } from './io';
import { printJson, takeJson } from './output';
import { progressReporter } from './progress';

/** Another controller (or cron) is purging right now: not a failure, but not this run's work. */
export const EXIT_LOCKED = 3;
/** The run finished but some recordings could not be purged (see the log and the run's errors). */
export const EXIT_ROW_ERRORS = 1;
/** The run failed or could not run (database unreachable or lost, pending migrations): the cause is on stderr. */
export const EXIT_FAILED = 4;

function parseRun(args: string[]): { dryRun: boolean; limit?: number } | string {
  const out: { dryRun: boolean; limit?: number } = { dryRun: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--dry-run') out.dryRun = true;
    else if (a === '--limit' || a?.startsWith('--limit=')) {
      const raw = a === '--limit' ? args[++i] : a.slice('--limit='.length);
      if (!raw || !/^\d+$/.test(raw) || Number(raw) < 1)
        return `--limit needs a positive whole number (got ${JSON.stringify(raw ?? '')})`;
      out.limit = Number(raw);
    } else return `unknown option "${a}"; allowed: --dry-run, --limit N, --json`;
  }
  return out;
}

async function withStore(cfg: Config, io: CliIo, fn: (store: Store) => Promise<number>): Promise<number> {
  const db = openDb(cfg.db.url);
  try {
    if ((await migrationStatus(db.knex)).pending.length > 0) {
      io.err('callrec retention: the database has pending migrations; run callrec migrate');
      return EXIT_FAILED;
    }
    return await fn(createStore(db));
  } finally {
    await db.close();
  }
}

async function run(cfg: Config, args: string[], io: CliIo, json: boolean): Promise<number> {
  const opts = parseRun(args);
  if (typeof opts === 'string') {
    io.err(`callrec retention run: ${opts}`);
    return 2;
  }
  // The runner has logged the failure and what the run did; stderr names the cause, not a later
  // error it caused (a lock that cannot be released on a connection that is gone).
  return withStore(cfg, io, async (store) => {
    const deps = {
      root: cfg.recordingsDir,
      node: cfg.node,
      lengths: tierLengths(cfg),
      batchSize: cfg.retention.batchSize,
      logger: cliLogger(cfg, json ? process.stderr : undefined),
    };
    const progress = progressReporter(io, { label: 'retention run', unit: 'recordings', json });
    const outcome = await runRetention(store, deps, {
      trigger: 'cli',
      ...opts,
      onProgress: (p) => progress.update(p.done, p.total),
    }).finally(() => progress.stop());
    if (outcome.kind === 'locked') {
      if (json) printJson(io, { locked: true, holder: outcome.holder });
      io.err(`callrec retention run: another run holds the lock (${outcome.holder}); nothing done`);
      return EXIT_LOCKED;
    }
    if (json) printJson(io, outcome.run);
    else io.out(describeRun(outcome.run));
    return outcome.run.errors > 0 ? EXIT_ROW_ERRORS : 0;
  }).catch((e: Error) => {
    io.err(`callrec retention run: the run failed: ${e.message}`);
    return EXIT_FAILED;
  });
}

export const retention: CliCommand = {
  summary: 'purge expired recordings now, or report runs and what expires soon',
  usage:
    'callrec retention run [--dry-run] [--limit N] | report   (exit 1: some rows failed, 3: another run holds the lock, 4: the run failed)',
  async run(args, io) {
    const cfg = configOrReport(io);
    if (!cfg) return EXIT_CONFIG;
    const { json, args: words } = takeJson(args);
    const [action, ...rest] = words;
    if (action === 'run') return run(cfg, rest, io, json);
    if (action === 'report') {
      return withStore(cfg, io, async (store) => {
        const rep = await retentionReportData(store, new Date());
        if (json) printJson(io, rep);
        else for (const line of describeReport(rep)) io.out(line);
        return 0;
      });
    }
    io.err(
      `callrec retention: unknown action ${JSON.stringify(action ?? '')}; use run [--dry-run] [--limit N] or report`,
    );
    return 2;
  },
};
