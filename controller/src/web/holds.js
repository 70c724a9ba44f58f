// Litigation holds by case (admins and supervisors): the recordings ticked in the list, or every
// result of the current search (server-side, not only this page), held under one case in one
// action; the cases on hold, each released as a whole by an admin with a reason.
import { api, DataTable, fmtDate, html, Notice, useEffect, useState } from './lib.js';

const staff = (me) => me.role === 'admin' || me.role === 'supervisor';

/** The ids ticked in the list, kept across pages until cleared. */
export function useSelection() {
  const [ids, setIds] = useState(() => new Set());
  const toggle = (id) => {
    const next = new Set(ids);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setIds(next);
  };
  return { ids, toggle, clear: () => setIds(new Set()) };
}

/** The tick box of one row of the recordings list. */
export function SelectCell({ id, selection }) {
  return html`<td>
    <input
      type="checkbox"
      checked=${selection.ids.has(id)}
      onChange=${() => selection.toggle(id)}
      aria-label=${`Select recording ${id}`}
    />
  </td>`;
}

const heldText = (r) =>
  `Held ${r.held} under case ${r.case}` +
  (r.alreadyInCase ? `; ${r.alreadyInCase} already in it` : '') +
  (r.skipped.length
    ? `; not taken: ${r.skipped.map((s) => `${s.id} (${s.why === 'purged' ? 'purged' : 'held for another reason'})`).join(', ')}`
    : '') +
  '.';

/** Hold the ticked recordings, or all the search's results, under one case. */
export function HoldBar({ me, filters, selection, onHeld }) {
  const [caseRef, setCaseRef] = useState('');
  const [reason, setReason] = useState('');
  const [failure, setFailure] = useState(null);
  const [ok, setOk] = useState(null);
  if (!staff(me)) return null;
  const hold = async (what) => {
    setFailure(null);
    setOk(null);
    // The search's own filters, as the form has them: blanks are "any", the order does not matter.
    const filter = Object.fromEntries(
      Object.entries(filters).filter(([k, v]) => k !== 'sort' && v !== undefined && v !== ''),
    );
    const body = { case: caseRef.trim(), ...(reason.trim() ? { reason: reason.trim() } : {}), ...what(filter) };

    try {
      const r = await api('POST', '/api/holds', body);
      setOk(heldText(r));
      selection.clear();
      onHeld();
    } catch (e) {
      setFailure(e);
    }
  };
  const n = selection.ids.size;
  return html`<form class="hold-bar" aria-label="Hold under a case" onSubmit=${(e) => e.preventDefault()}>
    <div class="inline">
      <label for="hold-case">Hold under case</label>
      <input
        id="hold-case"
        value=${caseRef}
        onInput=${(e) => setCaseRef(e.target.value)}
        placeholder="C-17"
        maxlength="64"
      />
      <label for="hold-case-reason">Reason</label>
      <input
        id="hold-case-reason"
        value=${reason}
        onInput=${(e) => setReason(e.target.value)}
        placeholder="litigation hold"
      />
      <button type="button" disabled=${n === 0} onClick=${() => hold(() => ({ ids: [...selection.ids] }))}>
        Hold selected (${n})
      </button>
      <button type="button" class="secondary" onClick=${() => hold((filter) => ({ filter }))}>
        Hold all results of this search
      </button>
    </div>
    <${Notice} failure=${failure} ok=${ok} />
  </form>`;
}

/** The cases on hold; an admin releases one as a whole, with a reason. */
export function Cases({ me, version, onReleased, onShow }) {
  const [data, setData] = useState(null);
  const [failure, setFailure] = useState(null);
  const [ok, setOk] = useState(null);
  const [reasons, setReasons] = useState({});
  useEffect(() => {
    if (staff(me)) api('GET', '/api/holds').then(setData, setFailure);
  }, [version]);
  if (!staff(me)) return null;
  const release = async (c) => {
    setFailure(null);
    setOk(null);
    try {
      const r = await api('POST', `/api/holds/${encodeURIComponent(c)}/release`, { reason: reasons[c] ?? '' });
      setOk(`Released ${r.released} recordings of case ${r.case}.`);
      onReleased();
    } catch (e) {
      setFailure(e);
    }
  };
  return html`<details class="cases">
    <summary>Cases on hold${data ? ` (${data.items.length})` : ''}</summary>
    <${Notice} failure=${failure} ok=${ok} />
    ${data?.items.length === 0 && html`<p class="muted">No case holds any recording.</p>`}
    ${
      data?.items.length > 0 &&
      html`<${DataTable} caption="Cases on hold" columns=${['Case', 'Recordings', 'Last held', 'Actions']}>
        ${data.items.map(
          (c, i) =>
            html`<tr key=${c.case}>
              <td>${c.case}</td>
              <td>${c.recordings}</td>
              <td>${fmtDate(c.lastHeldAt)}</td>
              <td>
                <div class="inline">
                  <button type="button" class="secondary" onClick=${() => onShow(c.case)}>Show</button>
                  ${
                    me.role === 'admin'
                      ? html`<label for=${`case-release-${i}`} class="sr-only">Release reason for case ${c.case}</label>
                          <input
                            id=${`case-release-${i}`}
                            placeholder="release reason"
                            value=${reasons[c.case] ?? ''}
                            onInput=${(e) => setReasons({ ...reasons, [c.case]: e.target.value })}
                          />
                          <button type="button" onClick=${() => release(c.case)}>Release case ${c.case}</button>`
                      : html`<small class="muted">Only an admin can release a case.</small>`
                  }
                </div>
              </td>
            </tr>`,
        )}
      <//>`
    }
  </details>`;
}
