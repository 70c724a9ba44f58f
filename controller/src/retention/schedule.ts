// The nightly purge inside the controller: node-cron with noOverlap (a slow run is never stacked
// on itself; the database lock also keeps other controllers out).
import cron, { type ScheduledTask } from 'node-cron';
import type { Config } from '../config/types';
import type { TierLengths } from '../domain/tiers';
import type { Store } from '../store';
import type { Logger } from '../util/logger';
import { runRetention } from './runner';
import type { RecordingPublisher } from '../webhooks/publisher';

export const tierLengths = (cfg: Pick<Config, 'retention'>): TierLengths => ({
  standardDays: cfg.retention.standardDays,
  extendedYears: cfg.retention.extendedYears,
});

/** 'local' means the machine's zone, resolved once at start so the log says which. */
export const scheduleZone = (tz: string): string =>
  tz === 'local' ? Intl.DateTimeFormat().resolvedOptions().timeZone : tz;

export interface RetentionSchedule {
  nextRun(): Date | null;
  stop(): Promise<void>;
}

export function startRetentionSchedule(
  cfg: Config,
  store: Store,
  logger: Logger,
  publisher?: RecordingPublisher,
): RetentionSchedule {
  const log = logger.child({ component: 'retention' });
  const timezone = scheduleZone(cfg.retention.timezone);
  const deps = {
    root: cfg.recordingsDir,
    node: cfg.node,
    lengths: tierLengths(cfg),
    batchSize: cfg.retention.batchSize,
    logger: log,
    publisher,
  };
  const abort = new AbortController();
  let running: Promise<unknown> | null = null;
  const task: ScheduledTask = cron.schedule(
    cfg.retention.schedule,
    async () => {
      running = runRetention(store, deps, { trigger: 'cron', signal: abort.signal }).catch(() => undefined); // the runner logged it
      await running;
      running = null;
    },
    {
      name: 'callrec-retention',
      timezone,
      noOverlap: true,
      logger: {
        info: (m) => log.debug(m),
        warn: (m) => log.warn(m),
        error: (m, e) => log.error(String(m), { error: e?.message }),
        debug: (m) => log.debug(String(m)),
      },
    },
  );
  log.info('retention scheduled', {
    schedule: cfg.retention.schedule,
    timezone,
    next: task.getNextRun()?.toISOString() ?? null,
  });
  return {
    nextRun: () => task.getNextRun(),
    stop: async () => {
      await task.destroy();
      abort.abort();
      await running; // a run in progress ends after its current batch, recorded, before the database closes
    },
  };
}
