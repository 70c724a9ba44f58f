// The audit trail (admins): GET /api/audit as a page with filters, "Load more" paging and a CSV
// export, and one recording's trail in its panel. The CSV is fetched with the Authorization header
// and saved from a Blob: the key never goes into a URL.
import {
  api,
  ApiFailure,
  DataTable,
  describedBy,
  Field,
  fmtDate,
  html,
  Notice,
  query,
  session,
  useEffect,
  useState,
} from './lib.js';

const EMPTY = { actor: '', action: '', recording: '', from: '', to: '' };
const ACTIONS = [
  'viewed',
  'searched',
  'listened',
  'downloaded',
  'held',
  'released',
  'deleted',
  'tier-changed',
  'rules-changed',
  'key-created',
  'key-revoked',
];
const iso = (local) => (local ? new Date(local).toISOString() : undefined);

/** An audit event's detail as one line of text. */
export const detailText = (d) =>
  d && typeof d === 'object'
    ? Object.entries(d)
        .map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : v}`)
        .join(', ')
    : '';

/** Saves the CSV export of `filters` as a file, fetched with the key in the header. */
export async function downloadAuditCsv(filters) {
  const res = await fetch(`/api/audit${query({ ...filters, format: 'csv' })}`, {
    headers: { Authorization: `Bearer ${session.key()}` },
  });
  if (!res.ok) throw new ApiFailure(res.status, await res.json().catch(() => null));
  const name = /filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') ?? '')?.[1] ?? 'callrec-audit.csv';
  const url = URL.createObjectURL(await res.blob());
  const a = Object.assign(document.createElement('a'), { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function AuditTable({ items, caption, recordingColumn = true }) {
  if (items.length === 0) return html`<p class="muted" role="status">No audit events match.</p>`;
  const columns = ['When', 'Action', 'Actor', ...(recordingColumn ? ['Recording'] : []), 'Detail'];
  return html`<${DataTable} caption=${caption} className="audit" columns=${columns}>
    ${items.map(
      (e) =>
        html`<tr key=${e.id} data-id=${e.id}>
          <td>${fmtDate(e.at)}</td>
          <td>${e.action}</td>
          <td>${e.actor}</td>
          ${recordingColumn && html`<td>${e.recordingId ?? '—'}</td>`}
          <td class="wrap">${detailText(e.detail)}</td>
        </tr>`,
    )}
  <//>`;
}

/** Pages of the audit trail for `filters`, newest first; `more()` reads the next page. */
function useAuditPages(filters, version = 0) {
  const [items, setItems] = useState(null);
  const [next, setNext] = useState(null);
  const [failure, setFailure] = useState(null);
  const load = async (cursor, keep) => {
    try {
      const p = await api('GET', `/api/audit${query({ ...filters, cursor, limit: 50 })}`);
      setItems([...keep, ...p.items]);
      setNext(p.nextCursor);
      setFailure(null);
    } catch (e) {
      setFailure(e);
    }
  };
  useEffect(() => {
    void load(undefined, []);
  }, [JSON.stringify(filters), version]);
  return { items, next, failure, more: () => load(next, items ?? []) };
}

function ExportButton({ filters, label = 'Export CSV' }) {
  const [failure, setFailure] = useState(null);
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    setFailure(null);
    try {
      await downloadAuditCsv(filters);
    } catch (e) {
      setFailure(e);
    } finally {
      setBusy(false);
    }
  };
  return html`<button type="button" class="secondary" onClick=${run} disabled=${busy}>${label}</button>
    <${Notice} failure=${failure} />`;
}

export function Audit() {
  const [f, setF] = useState(EMPTY);
  const [filters, setFilters] = useState({});
  const pages = useAuditPages(filters);
  const set = (k) => (e) => setF({ ...f, [k]: e.target.value });
  const failure = pages.failure;
  const input = (
    k,
    label,
    extra = {},
  ) => html`<${Field} id=${`a-${k}`} name=${`query.${k}`} label=${label} failure=${failure} hint=${extra.hint}>
    <input id=${`a-${k}`} value=${f[k]} onInput=${set(k)} type=${extra.type ?? 'text'} inputmode=${extra.inputmode} list=${extra.list}
      aria-describedby=${describedBy(failure, `query.${k}`, `a-${k}`) ?? (extra.hint ? `a-${k}-hint` : undefined)} />
  </${Field}>`;
  const submit = (e) => {
    e.preventDefault();
    setFilters({ ...f, from: iso(f.from), to: iso(f.to) });
  };
  return html`<section aria-label="Audit trail">
    <form class="filters" onSubmit=${submit} aria-label="Filter the audit trail">
      ${input('actor', 'Actor or key id', { hint: 'A key id (digits) or an actor such as system' })}
      ${input('action', 'Action', { list: 'audit-actions' })}
      <datalist id="audit-actions">${ACTIONS.map((a) => html`<option value=${a} />`)}</datalist>
      ${input('recording', 'Recording', { inputmode: 'numeric' })} ${input('from', 'From', { type: 'datetime-local' })}
      ${input('to', 'Before', { type: 'datetime-local' })}
      <div class="actions">
        <button type="submit">Filter</button>
        <button
          type="reset"
          class="secondary"
          onClick=${() => {
            setF(EMPTY);
            setFilters({});
          }}
        >
          Clear
        </button>
      </div>
    </form>
    <div class="inline"><${ExportButton} filters=${filters} /></div>
    <${Notice} failure=${failure} />
    ${pages.items && html`<${AuditTable} items=${pages.items} caption="Audit trail" />`}
    ${pages.next && html`<div class="pager"><button type="button" class="secondary" onClick=${pages.more}>Load more</button></div>`}
  </section>`;
}

/** One recording's audit trail, for admins, in its panel: who viewed, listened, held or released it. */
export function RecordingAudit({ id, version }) {
  const filters = { recording: String(id) };
  const pages = useAuditPages(filters, version);
  return html`<section aria-labelledby="rec-audit-h">
    <h3 id="rec-audit-h">Audit trail</h3>
    <${Notice} failure=${pages.failure} />
    ${pages.items && html`<${AuditTable} items=${pages.items} caption=${`Audit trail of recording ${id}`} recordingColumn=${false} />`}
    <div class="inline">
      ${pages.next && html`<button type="button" class="secondary" onClick=${pages.more}>Load more</button>`}
      <${ExportButton} filters=${filters} label="Export this recording's trail (CSV)" />
    </div>
  </section>`;
}
