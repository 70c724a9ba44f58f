// Progress of a long command: on a terminal a redrawn bar (cli-progress), elsewhere (cron, CI,
// systemd) one line every few seconds, every tenth of the work or at each new step, so a log shows
// how far a run got.
// Always on stderr: stdout stays the command's result (one JSON document with --json).
import cliProgress from 'cli-progress';
import type { CliIo } from './io';

export interface ProgressFigures {
  done: number;
  total: number;
  /** Items per second since the start. */
  rate: number;
  /** Seconds left at that rate; null until there is a rate. */
  etaSeconds: number | null;
}

export interface ProgressReporter {
  /** `note`: what is being worked on now (e.g. the migration being applied), shown after the figures. */
  update(done: number, total: number, note?: string): void;
  /** Ends the bar (a terminal gets its final state); lines need no ending. */
  stop(): void;
}

export interface ProgressOptions {
  /** What is being done, e.g. "retention run"; starts every line. */
  label: string;
  /** What is counted, e.g. "recordings". */
  unit: string;
  /** Off a terminal: JSON lines ({"progress": ...}) instead of sentences. */
  json?: boolean;
  /** Off a terminal: the longest silence between lines (default 5 s); none in the first second; a new note always gets a line. */
  everyMs?: number;
  now?: () => number;
}

export function figures(done: number, total: number, elapsedMs: number): ProgressFigures {
  const rate = elapsedMs > 0 ? done / (elapsedMs / 1000) : 0;
  // Slow items (migrations) keep a decimal: "0/s" would read as stalled.
  return {
    done,
    total,
    rate: rate >= 10 ? Math.round(rate) : Math.round(rate * 10) / 10,
    etaSeconds: rate > 0 ? Math.round(Math.max(0, total - done) / rate) : null,
  };
}

export const fmtSeconds = (s: number | null): string =>
  s === null
    ? '?'
    : s >= 3600
      ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
      : s >= 60
        ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
        : `${s}s`;

export function describeProgress(label: string, unit: string, f: ProgressFigures, note?: string): string {
  const pct = f.total > 0 ? ` (${Math.floor((100 * f.done) / f.total)}%)` : '';
  return `${label}: ${f.done}/${f.total} ${unit}${pct}, ${f.rate}/s, ${fmtSeconds(f.etaSeconds)} left${note ? `; ${note}` : ''}`;
}

export function progressReporter(io: CliIo, opts: ProgressOptions): ProgressReporter {
  const now = opts.now ?? Date.now;
  const started = now();
  return io.tty?.isTTY ? barReporter(io.tty, opts, started, now) : lineReporter(io, opts, started, now);
}

function barReporter(
  stream: NodeJS.WriteStream,
  opts: ProgressOptions,
  started: number,
  now: () => number,
): ProgressReporter {
  const bar = new cliProgress.SingleBar(
    {
      stream,
      fps: 5, // the cursor stays visible: a Ctrl-C mid-run must not leave it hidden
      format: `${opts.label} [{bar}] {percentage}% {value}/{total} ${opts.unit} | {rate}/s | {left} left{note}`,
    },
    cliProgress.Presets.shades_classic,
  );
  let begun = false;
  return {
    update(done, total, note) {
      const f = figures(done, total, now() - started);
      const payload = { rate: f.rate, left: fmtSeconds(f.etaSeconds), note: note ? ` | ${note}` : '' };
      if (!begun && total === 0) return; // nothing to do: no bar
      if (!begun) {
        bar.start(total, done, payload);
        begun = true;
        return;
      }
      bar.setTotal(total);
      bar.update(done, payload);
    },
    stop() {
      if (begun) bar.stop();
    },
  };
}

const QUIET_MS = 1000;

function lineReporter(io: CliIo, opts: ProgressOptions, started: number, now: () => number): ProgressReporter {
  const every = opts.everyMs ?? 5000;
  let lastAt = started;
  let lastTenth = 0;
  let lastNote: string | undefined;
  return {
    update(done, total, note) {
      const t = now();
      const tenth = total > 0 ? Math.floor((10 * done) / total) : 0;
      // A new note is a new step (the next migration): said before it starts, however long it takes.
      const newStep = note !== undefined && note !== lastNote;
      // Work done within a second needs no progress in a log (a 3-flow import, an empty purge).
      if (!newStep && (t - started < QUIET_MS || (t - lastAt < every && tenth <= lastTenth))) return;
      lastAt = t;
      lastTenth = tenth;
      lastNote = note;
      const f = figures(done, total, t - started);
      io.err(
        opts.json
          ? JSON.stringify({ progress: { label: opts.label, unit: opts.unit, ...f, ...(note ? { note } : {}) } })
          : describeProgress(opts.label, opts.unit, f, note),
      );
    },
    stop() {
      /* each line stands alone */
    },
  };
}
