// `callrec retention report`: recent runs, then what expires soon per tier, as plain lines.
import type { Tier } from '../domain/records';
import type { Store } from '../store';
import type { RetentionRun } from '../store/retention-runs-repo';

export const fmtBytes = (n: number): string =>
  n >= 1024 ** 3
    ? `${(n / 1024 ** 3).toFixed(1)} GiB`
    : n >= 1024 ** 2
      ? `${(n / 1024 ** 2).toFixed(1)} MiB`
      : n >= 1024
        ? `${(n / 1024).toFixed(1)} KiB`
        : `${n} B`;

export function describeRun(r: RetentionRun): string {
  const took = r.finishedAt ? `${((r.finishedAt.getTime() - r.startedAt.getTime()) / 1000).toFixed(1)}s` : '-';
  return (
    `#${r.id} ${r.startedAt.toISOString()} ${r.trigger}${r.dryRun ? ' (dry run)' : ''} ${r.state} on ${r.node} in ${took}: ` +
    `scanned ${r.scanned}, purged ${r.purged} (${fmtBytes(r.bytesFreed)}), on hold ${r.skippedOnHold}, ` +
    `missing files ${r.missingFiles}, errors ${r.errors}`
  );
}

export interface RetentionReport {
  recentRuns: RetentionRun[];
  /** Unheld recordings by tier: overdue now (days 0), and due within the next 7 and 30 days. */
  expiring: Array<{ days: number; tier: Tier; count: number; bytes: number }>;
  onHold: number;
}

export async function retentionReportData(store: Store, asOf: Date, runs = 10): Promise<RetentionReport> {
  const expiring: RetentionReport['expiring'] = [];
  for (const days of [0, 7, 30]) {
    const rows = await store.retentionRuns.expiring(asOf, days);
    for (const tier of ['standard', 'extended'] as const) {
      const r = rows.find((x) => x.tier === tier);
      expiring.push({ days, tier, count: r?.count ?? 0, bytes: r?.bytes ?? 0 });
    }
  }
  return {
    recentRuns: await store.retentionRuns.recent(runs),
    expiring,
    onHold: await store.retentionRuns.countHeld(),
  };
}

export function describeReport(rep: RetentionReport): string[] {
  const lines = ['Recent runs:'];
  if (rep.recentRuns.length === 0) lines.push('  none yet');
  for (const r of rep.recentRuns) lines.push(`  ${describeRun(r)}`);
  lines.push('Expiring (unheld, by tier):');
  for (const e of rep.expiring) {
    const label = e.days === 0 ? 'overdue now' : `next ${e.days} days`;
    lines.push(
      `  ${label.padEnd(12)} ${e.tier.padEnd(9)} ${String(e.count).padStart(8)} recordings  ${fmtBytes(e.bytes)}`,
    );
  }
  lines.push(`On hold: ${rep.onHold} recordings (never purged while held)`);
  return lines;
}
