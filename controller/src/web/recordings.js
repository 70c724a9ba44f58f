// Recordings: filters, newest-first table with keyset paging, and the selected recording's panel
// beside the list (over it on a phone) at its own address, #/recordings/<id>.
import {
  api,
  DataTable,
  describedBy,
  Field,
  fmtDate,
  fmtDuration,
  html,
  loadEnums,
  Notice,
  query,
  useEffect,
  useState,
} from './lib.js';
import { RecordingPanel } from './recording-panel.js';
import { Cases, HoldBar, SelectCell, useSelection } from './holds.js';
import { go } from './route.js';

const EMPTY = {
  number: '',
  from: '',
  to: '',
  direction: '',
  agent: '',
  flow: '',
  campaign: '',
  consent: '',
  state: '',
  tier: '',
  case: '',
  sort: 'desc',
};

// <input type=datetime-local> is local time without a zone; the API wants ISO 8601 with one.
const iso = (local) => (local ? new Date(local).toISOString() : undefined);

function Filters({ me, enums, onSearch, failure }) {
  const [f, setF] = useState(EMPTY);
  const set = (k) => (e) => setF({ ...f, [k]: e.target.value });
  const text = (
    k,
    label,
    extra = {},
  ) => html`<${Field} id=${`f-${k}`} name=${`query.${k}`} label=${label} failure=${failure} hint=${extra.hint}>
    <input id=${`f-${k}`} name=${k} value=${f[k]} onInput=${set(k)} type=${extra.type ?? 'text'} inputmode=${extra.inputmode}
      aria-describedby=${describedBy(failure, `query.${k}`, `f-${k}`) ?? (extra.hint ? `f-${k}-hint` : undefined)} />
  </${Field}>`;
  const select = (
    k,
    label,
    values,
  ) => html`<${Field} id=${`f-${k}`} name=${`query.${k}`} label=${label} failure=${failure}>
    <select id=${`f-${k}`} name=${k} value=${f[k]} onChange=${set(k)}>
      <option value="">any</option>${values.map((v) => html`<option value=${v}>${v}</option>`)}
    </select>
  </${Field}>`;
  const submit = (e) => {
    e.preventDefault();
    onSearch({ ...f, from: iso(f.from), to: iso(f.to), agent: me.role === 'agent' ? undefined : f.agent });
  };
  return html`<form class="filters" onSubmit=${submit} aria-label="Search recordings">
    ${text('number', 'Number', { inputmode: 'tel', hint: 'Any form: +1 212…, (212) 555-0123' })}
    ${text('from', 'From', { type: 'datetime-local' })}
    ${text('to', 'Before', { type: 'datetime-local' })}
    ${select('direction', 'Direction', enums.directions)}
    ${me.role !== 'agent' && text('agent', 'Agent')}
    ${text('flow', 'Flow')}
    ${text('campaign', 'Campaign')}
    ${select('consent', 'Consent outcome', enums.consentOutcomes)}
    ${select('state', 'State', enums.states)}
    ${select('tier', 'Tier', enums.tiers)}
    ${me.role !== 'agent' && text('case', 'Case', { hint: 'Held under this case' })}
    <${Field} id="f-sort" label="Order" failure=${failure} name="query.sort">
      <select id="f-sort" value=${f.sort} onChange=${set('sort')}><option value="desc">newest first</option><option value="asc">oldest first</option></select>
    </${Field}>
    <div class="actions">
      <button type="submit">Search</button>
      <button type="reset" class="secondary" onClick=${() => {
        setF(EMPTY);
        onSearch({ sort: 'desc' });
      }}>Clear</button>
    </div>
  </form>`;
}

function Table({ items, selected, onSelect, sort, onSort, selection }) {
  if (items.length === 0) return html`<p class="muted" role="status">No recordings match.</p>`;
  const columns = [
    ...(selection ? [{ label: html`<span class="sr-only">Select</span>` }] : []),
    {
      label: html`<button type="button" class="link" onClick=${onSort}>Started ${sort === 'asc' ? '▲' : '▼'}</button>`,
      sort: sort === 'asc' ? 'ascending' : 'descending',
    },
    ...['Direction', 'From', 'To', 'Agent', 'Flow', 'Length', 'State', 'Tier'],
    { label: html`<span class="sr-only">Open</span>` },
  ];
  return html`<${DataTable} caption="Recordings" className="recordings" columns=${columns}>
    ${items.map(
      (r) =>
        html`<tr key=${r.id} class=${selected === r.id ? 'selected' : ''} data-id=${r.id}>
          ${selection && html`<${SelectCell} id=${r.id} selection=${selection} />`}
          <td>${fmtDate(r.startedAt)}</td>
          <td>${r.direction}</td>
          <td>${r.from ?? '—'}</td>
          <td>${r.to ?? '—'}</td>
          <td>${r.agent ?? '—'}</td>
          <td>${r.flow ?? '—'}</td>
          <td>${fmtDuration(r.durationMs)}</td>
          <td>${r.state}${r.onHold ? html` <span class="badge">hold</span>` : ''}</td>
          <td>${r.tier}</td>
          <td>
            <button
              type="button"
              onClick=${() => onSelect(r.id)}
              aria-label=${`Open recording ${r.id}`}
              aria-expanded=${selected === r.id}
            >
              Open
            </button>
          </td>
        </tr>`,
    )}
  <//>`;
}

export function Recordings({ me, id }) {
  const [enums, setEnums] = useState(null);
  const [filters, setFilters] = useState({ sort: 'desc' });
  const [cursors, setCursors] = useState([null]); // cursor of each page seen, for "Previous"
  const [page, setPage] = useState(null);
  const [failure, setFailure] = useState(null);
  const selected = id ? Number(id) : null;
  const [version, setVersion] = useState(0);
  const cursor = cursors[cursors.length - 1];
  const selection = useSelection();
  const staff = me.role !== 'agent';

  useEffect(() => {
    loadEnums().then(setEnums);
  }, []);
  useEffect(() => {
    let live = true;
    api('GET', `/api/recordings${query({ ...filters, cursor, limit: 25 })}`).then(
      (p) => {
        if (live) {
          setPage(p);
          setFailure(null);
        }
      },
      (e) => {
        if (live) setFailure(e);
      },
    );
    return () => {
      live = false;
    };
  }, [filters, cursor, version]);

  if (!enums) return html`<p class="muted">Loading…</p>`;
  const search = (f) => {
    setFilters(f);
    setCursors([null]);
  };
  return html`<section aria-label="Recordings" class=${selected ? 'rec-layout with-panel' : 'rec-layout'}>
    <div class="rec-list">
      <${Filters} me=${me} enums=${enums} onSearch=${search} failure=${failure} />
      <${Notice} failure=${failure} />
      <${HoldBar} me=${me} filters=${filters} selection=${selection} onHeld=${() => setVersion(version + 1)} />
      <${Cases}
        me=${me}
        version=${version}
        onReleased=${() => setVersion(version + 1)}
        onShow=${(c) => search({ sort: 'desc', case: c })}
      />
      ${
        page &&
        html`<${Table}
            selection=${staff ? selection : null}
            items=${page.items}
            selected=${selected}
            onSelect=${(r) => go('recordings', selected === r ? null : r)}
            sort=${filters.sort ?? 'desc'}
            onSort=${() => search({ ...filters, sort: filters.sort === 'asc' ? 'desc' : 'asc' })}
          />
          <div class="pager">
            <button
              type="button"
              class="secondary"
              disabled=${cursors.length < 2}
              onClick=${() => setCursors(cursors.slice(0, -1))}
            >
              Previous page
            </button>
            <span class="muted">page ${cursors.length}</span>
            <button
              type="button"
              class="secondary"
              disabled=${!page.nextCursor}
              onClick=${() => setCursors([...cursors, page.nextCursor])}
            >
              Next page
            </button>
          </div>`
      }
    </div>
    ${
      selected &&
      html`<${RecordingPanel}
        key=${selected}
        id=${selected}
        me=${me}
        enums=${enums}
        onChanged=${() => setVersion(version + 1)}
        onClose=${() => go('recordings')}
      />`
    }
  </section>`;
}
