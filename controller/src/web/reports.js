// Reports: storage per month and tier (bar chart, with the numbers as a table), retention runs,
// and what expires soon.
import { Compliance, MonthErase } from './compliance.js';
import { DataTable, fmtBytes, fmtDate, html, Notice, query, useApi } from './lib.js';

const SOON_DAYS = 30;

function StorageChart({ items }) {
  const months = [...new Set(items.map((i) => i.month))].sort();
  const max = Math.max(1, ...items.map((i) => i.bytes));
  const label = `Storage per month: ${items.map((i) => `${i.month} ${i.tier} ${fmtBytes(i.bytes)}`).join('; ')}`;
  return html`<div class="chart" role="img" aria-label=${label}>
    ${months.map(
      (m) =>
        html`<div class="chart-row">
          <span class="chart-label">${m}</span>
          <div class="bars">
            ${items
              .filter((i) => i.month === m)
              .map(
                (i) =>
                  html`<div class=${`bar tier-${i.tier}`} style=${{ width: `${Math.max(1, (i.bytes / max) * 100)}%` }}>
                    <span>${i.tier} ${fmtBytes(i.bytes)}</span>
                  </div>`,
              )}
          </div>
        </div>`,
    )}
  </div>`;
}

/** One report: its heading, what went wrong loading it, and `empty` once loaded with nothing to show. */
function Report({ id, title, failure, empty, children }) {
  return html`<section aria-labelledby=${id}>
    <h2 id=${id}>${title}</h2>
    <${Notice} failure=${failure} />
    ${empty && html`<p class="muted">${empty}</p>`} ${children}
  </section>`;
}

function Storage() {
  const [data, failure] = useApi('/api/reports/storage');
  const t = data?.totals;
  // No price per minute configured: no cost column at all (a cost of 0 would read as "free").
  const priced = data?.costPerMinute !== null && data?.costPerMinute !== undefined;
  const foot = html`<tfoot>
    <tr>
      <th scope="row" colspan="2">Total</th>
      <td>${t?.count}</td>
      <td>${t?.minutes}</td>
      <td>${fmtBytes(t?.bytes)}</td>
      ${priced && html`<td>${t?.cost}</td>`}
    </tr>
  </tfoot>`;
  return html`<${Report}
    id="storage-h"
    title="Storage per month and tier"
    failure=${failure}
    empty=${data?.items.length === 0 && 'Nothing stored yet.'}
  >
    ${
      data?.items.length > 0 &&
      html`<${StorageChart} items=${data.items} />
        <${DataTable}
          caption="Storage per month and tier"
          columns=${['Month', 'Tier', 'Recordings', 'Minutes', 'Size', ...(priced ? ['Cost'] : [])]}
          foot=${foot}
        >
          ${data.items.map(
            (i) =>
              html`<tr>
                <td>${i.month}</td>
                <td>${i.tier}</td>
                <td>${i.count}</td>
                <td>${i.minutes}</td>
                <td>${fmtBytes(i.bytes)}</td>
                ${priced && html`<td>${i.cost}</td>`}
              </tr>`,
          )}
        <//>`
    }
  <//>`;
}

const RUN_COLUMNS = [
  'Started',
  'Trigger',
  'State',
  'Scanned',
  'Purged',
  'Freed',
  'Kept (hold)',
  'Missing files',
  'Errors',
];

function Runs() {
  const [data, failure] = useApi('/api/reports/retention-runs?limit=20');
  return html`<${Report}
    id="runs-h"
    title="Retention runs"
    failure=${failure}
    empty=${data?.items.length === 0 && 'No retention run yet.'}
  >
    ${
      data?.items.length > 0 &&
      html`<${DataTable} caption="Retention runs" columns=${RUN_COLUMNS}>
        ${data.items.map(
          (r) =>
            html`<tr>
              <td>${fmtDate(r.startedAt)}${r.dryRun ? ' (dry run)' : ''}</td>
              <td>${r.trigger}</td>
              <td>${r.state}</td>
              <td>${r.scanned}</td>
              <td>${r.purged}</td>
              <td>${fmtBytes(r.bytesFreed)}</td>
              <td>${r.skippedOnHold}</td>
              <td>${r.missingFiles}</td>
              <td>${r.errors}</td>
            </tr>`,
        )}
      <//>`
    }
  <//>`;
}

// The search API has no retain-until filter: the oldest completed recordings are the ones that
// expire first within a tier, so the oldest page is read and filtered here.
function ExpiringSoon() {
  const [data, failure] = useApi(`/api/recordings${query({ sort: 'asc', state: 'completed', limit: 200 })}`);
  const limit = Date.now() + SOON_DAYS * 86_400_000;
  const soon = (data?.items ?? [])
    .filter((r) => r.retainUntil && !r.onHold && Date.parse(r.retainUntil) < limit)
    .sort((a, b) => Date.parse(a.retainUntil) - Date.parse(b.retainUntil));
  return html`<${Report}
    id="soon-h"
    title=${`Expiring within ${SOON_DAYS} days`}
    failure=${failure}
    empty=${data && soon.length === 0 && `Nothing among the 200 oldest recordings expires within ${SOON_DAYS} days.`}
  >
    ${
      soon.length > 0 &&
      html`<${DataTable} caption="Expiring soon" columns=${['Expires', 'Recording', 'Started', 'Tier', 'From', 'To']}>
        ${soon.map(
          (r) =>
            html`<tr>
              <td>${fmtDate(r.retainUntil)}</td>
              <td>${r.id}</td>
              <td>${fmtDate(r.startedAt)}</td>
              <td>${r.tier}</td>
              <td>${r.from ?? '—'}</td>
              <td>${r.to ?? '—'}</td>
            </tr>`,
        )}
      <//>`
    }
  <//>`;
}

export function Reports({ me }) {
  return html`<div class="reports">
    <${Compliance} /><${Storage} /><${Runs} /><${ExpiringSoon} />${me?.role === 'admin' && html`<${MonthErase} />`}
  </div>`;
}
