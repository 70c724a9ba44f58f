// Reports: storage per month and tier (bar chart, with the numbers as a table), retention runs,
// and what expires soon.
import { api, fmtBytes, fmtDate, html, Notice, query, useEffect, useState } from './lib.js';

const SOON_DAYS = 30;

function useApi(path) {
  const [data, setData] = useState(null);
  const [failure, setFailure] = useState(null);
  useEffect(() => {
    api('GET', path).then(setData, setFailure);
  }, [path]);
  return [data, failure];
}

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

function Storage() {
  const [data, failure] = useApi('/api/reports/storage');
  return html`<section aria-labelledby="storage-h">
    <h2 id="storage-h">Storage per month and tier</h2>
    <${Notice} failure=${failure} />
    ${data && data.items.length === 0 && html`<p class="muted">Nothing stored yet.</p>`}
    ${
      data &&
      data.items.length > 0 &&
      html`<${StorageChart} items=${data.items} />
        <div class="table-wrap">
          <table>
            <caption class="sr-only">
              Storage per month and tier
            </caption>
            <thead>
              <tr>
                <th scope="col">Month</th>
                <th scope="col">Tier</th>
                <th scope="col">Recordings</th>
                <th scope="col">Minutes</th>
                <th scope="col">Size</th>
                <th scope="col">Cost</th>
              </tr>
            </thead>
            <tbody>
              ${data.items.map(
                (i) =>
                  html`<tr>
                    <td>${i.month}</td>
                    <td>${i.tier}</td>
                    <td>${i.count}</td>
                    <td>${i.minutes}</td>
                    <td>${fmtBytes(i.bytes)}</td>
                    <td>${i.cost}</td>
                  </tr>`,
              )}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row" colspan="2">Total</th>
                <td>${data.totals.count}</td>
                <td>${data.totals.minutes}</td>
                <td>${fmtBytes(data.totals.bytes)}</td>
                <td>${data.totals.cost}</td>
              </tr>
            </tfoot>
          </table>
        </div>`
    }
  </section>`;
}

function Runs() {
  const [data, failure] = useApi('/api/reports/retention-runs?limit=20');
  return html`<section aria-labelledby="runs-h">
    <h2 id="runs-h">Retention runs</h2>
    <${Notice} failure=${failure} />
    ${data && data.items.length === 0 && html`<p class="muted">No retention run yet.</p>`}
    ${
      data &&
      data.items.length > 0 &&
      html`<div class="table-wrap">
        <table>
          <caption class="sr-only">
            Retention runs
          </caption>
          <thead>
            <tr>
              <th scope="col">Started</th>
              <th scope="col">Trigger</th>
              <th scope="col">State</th>
              <th scope="col">Scanned</th>
              <th scope="col">Purged</th>
              <th scope="col">Freed</th>
              <th scope="col">Kept (hold)</th>
              <th scope="col">Missing files</th>
              <th scope="col">Errors</th>
            </tr>
          </thead>
          <tbody>
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
          </tbody>
        </table>
      </div>`
    }
  </section>`;
}

// The search API has no retain-until filter: the oldest completed recordings are the ones that
// expire first within a tier, so the oldest page is read and filtered here.
function ExpiringSoon() {
  const [data, failure] = useApi(`/api/recordings${query({ sort: 'asc', state: 'completed', limit: 200 })}`);
  const limit = Date.now() + SOON_DAYS * 86_400_000;
  const soon = (data?.items ?? [])
    .filter((r) => r.retainUntil && !r.onHold && Date.parse(r.retainUntil) < limit)
    .sort((a, b) => Date.parse(a.retainUntil) - Date.parse(b.retainUntil));
  return html`<section aria-labelledby="soon-h">
    <h2 id="soon-h">Expiring within ${SOON_DAYS} days</h2>
    <${Notice} failure=${failure} />
    ${data && soon.length === 0 && html`<p class="muted">Nothing among the 200 oldest recordings expires within ${SOON_DAYS} days.</p>`}
    ${
      soon.length > 0 &&
      html`<div class="table-wrap">
        <table>
          <caption class="sr-only">
            Expiring soon
          </caption>
          <thead>
            <tr>
              <th scope="col">Expires</th>
              <th scope="col">Recording</th>
              <th scope="col">Started</th>
              <th scope="col">Tier</th>
              <th scope="col">From</th>
              <th scope="col">To</th>
            </tr>
          </thead>
          <tbody>
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
          </tbody>
        </table>
      </div>`
    }
  </section>`;
}

export function Reports() {
  return html`<div class="reports"><${Storage} /><${Runs} /><${ExpiringSoon} /></div>`;
}
