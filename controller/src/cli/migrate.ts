import { redactUrl } from '../config';
import { migrateDownAll, migrateLatest, migrationStatus, openDb } from '../store';
import { migrateDownOne } from '../store/migrate';
import { configOrReport, EXIT_CONFIG, type CliCommand } from './io';
import { progressReporter } from './progress';

export const migrate: CliCommand = {
  summary: 'apply (or roll back) database migrations',
  usage: 'callrec migrate [latest | down [--all] | status]',
  async run(args, io) {
    const cfg = configOrReport(io);
    if (!cfg) return EXIT_CONFIG;
    const action = args[0] ?? 'latest';
    if (!['latest', 'up', 'down', 'status'].includes(action)) {
      io.err(`callrec migrate: unknown action "${action}"; use latest, down [--all] or status`);
      return 2;
    }
    const db = openDb(cfg.db.url);
    const where = redactUrl(cfg.db.url);
    try {
      if (action === 'status') {
        const s = await migrationStatus(db.knex);
        for (const m of s.applied) io.out(`applied  ${m}`);
        for (const m of s.pending) io.out(`pending  ${m}`);
        return 0;
      }
      if (action === 'down') {
        const reverted = args.includes('--all') ? await migrateDownAll(db.knex) : await migrateDownOne(db.knex);
        io.out(
          reverted.length ? `rolled back on ${where}: ${reverted.join(', ')}` : `nothing to roll back on ${where}`,
        );
        return 0;
      }
      const progress = progressReporter(io, { label: 'migrate', unit: 'migrations' });
      const applied = await migrateLatest(db.knex, (st) =>
        progress.update(st.done, st.total, st.next ? `applying ${st.next}` : undefined),
      ).finally(() => progress.stop());
      io.out(applied.length ? `migrated ${where}: ${applied.join(', ')}` : `${where} is up to date`);
      return 0;
    } catch (e) {
      io.err(`callrec migrate: ${where}: ${(e as Error).message}`);
      return 1;
    } finally {
      await db.close();
    }
  },
};
