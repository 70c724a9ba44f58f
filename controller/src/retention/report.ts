// `callrec retention report`: recent runs, then what expires soon per tier, as plain lines.
import type { Store } from '../store';
import type { RetentionRun } from '../store/retention-runs-repo';

export const fmtBytes = (n: number): string =>
  n >= 1024 ** 3 ? `${(n / 1024 ** 3).toFixed(1)} GiB` : n >= 1024 ** 2 ? `${(n / 1024 ** 2).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`;

export function describeRun(r: RetentionRun): string {
  const took = r.finishedAt ? `${((r.finishedAt.getTime() - r.startedAt.getTime()) / 1000).toFixed(1)}s` : '-';
  return `#${r.id} ${r.startedAt.toISOString()} ${r.trigger}${r.dryRun ? ' (dry run)' : ''} ${r.state} on ${r.node} in ${took}: `
    + `scanned ${r.scanned}, purged ${r.purged} (${fmtBytes(r.bytesFreed)}), on hold ${r.skippedOnHold}, `
    + `missing files ${r.missingFiles}, errors ${r.errors}`;
}

export async function retentionReport(store: Store, asOf: Date, runs = 10): Promise<string[]> {
  const lines = ['Recent runs:'];
  const recent = await store.retentionRuns.recent(runs);
  if (recent.length === 0) lines.push('  none yet');
  for (const r of recent) lines.push(`  ${describeRun(r)}`);
  lines.push('Expiring (unheld, by tier):');
  for (const days of [0, 7, 30]) {
    const rows = await store.retentionRuns.expiring(asOf, days);
    const label = days === 0 ? 'overdue now' : `next ${days} days`;
    for (const tier of ['standard', 'extended'] as const) {
      const r = rows.find((x) => x.tier === tier);
      lines.push(`  ${label.padEnd(12)} ${tier.padEnd(9)} ${String(r?.count ?? 0).padStart(8)} recordings  ${fmtBytes(r?.bytes ?? 0)}`);
    }
  }
  lines.push(`On hold: ${await store.retentionRuns.countHeld()} recordings (never purged while held)`);
  return lines;
}
