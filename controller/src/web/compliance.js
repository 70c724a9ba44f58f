// The compliance report (admins and supervisors): per flow and month, calls by consent outcome,
// recordings paused and purged by reason. And an admin's month erase, behind a typed confirmation.
import { api, DataTable, fmtBytes, html, Notice, useEffect, useState } from './lib.js';

export function Compliance() {
  const [data, setData] = useState(null);
  const [failure, setFailure] = useState(null);
  useEffect(() => {
    api('GET', '/api/reports/compliance').then(setData, setFailure);
  }, []);
  const columns = data && [
    'Month',
    'Flow',
    'Calls',
    ...data.outcomes,
    'Paused',
    ...data.purgeReasons.map((r) => `Purged: ${r}`),
  ];
  return html`<section aria-labelledby="compliance-h">
    <h2 id="compliance-h">Consent and compliance per flow and month</h2>
    <${Notice} failure=${failure} />
    ${data?.items.length === 0 && html`<p class="muted">No calls yet.</p>`}
    ${
      data?.items.length > 0 &&
      html`<${DataTable}
        caption="Calls by consent outcome, recordings paused and purged, per flow and month"
        className="compliance"
        columns=${columns}
      >
        ${data.items.map(
          (i) =>
            html`<tr data-flow=${i.flow ?? ''} data-month=${i.month}>
              <td>${i.month}</td>
              <td>${i.flow ?? '—'}</td>
              <td>${i.calls}</td>
              ${data.outcomes.map((o) => html`<td data-outcome=${o}>${i.consent[o] ?? 0}</td>`)}
              <td>${i.paused}</td>
              ${data.purgeReasons.map((r) => html`<td>${i.purged[r] ?? 0}</td>`)}
            </tr>`,
        )}
      <//>`
    }
  </section>`;
}

/** Delete every unheld recording of a month: the admin types the month again to confirm. */
export function MonthErase() {
  const [month, setMonth] = useState('');
  const [reason, setReason] = useState('');
  const [typed, setTyped] = useState('');
  const [failure, setFailure] = useState(null);
  const [ok, setOk] = useState(null);
  const [busy, setBusy] = useState(false);
  const ready = /^\d{4}-\d{2}$/.test(month) && typed.trim() === month && reason.trim() !== '';
  const erase = async (e) => {
    e.preventDefault();
    if (!ready) return;
    setBusy(true);
    setFailure(null);
    setOk(null);
    try {
      const r = await api('POST', '/api/recordings/delete-month', { month, reason: reason.trim() });
      setOk(
        `Purged ${r.purged} recordings of ${r.month} (${fmtBytes(r.bytesFreed)} freed); ${r.skippedOnHold} kept on hold.`,
      );
      setTyped('');
    } catch (err) {
      setFailure(err);
    } finally {
      setBusy(false);
    }
  };
  return html`<section aria-labelledby="erase-h">
    <h2 id="erase-h">Erase a month</h2>
    <p class="muted">
      Deletes the audio of every recording that started in the month (UTC) and is not on hold. It cannot be undone.
    </p>
    <form class="filters" onSubmit=${erase} aria-labelledby="erase-h">
      <div class="field">
        <label for="erase-month">Month</label>
        <input id="erase-month" type="month" value=${month} onInput=${(e) => setMonth(e.target.value)} required />
      </div>
      <div class="field">
        <label for="erase-reason">Reason</label>
        <input id="erase-reason" value=${reason} onInput=${(e) => setReason(e.target.value)} required />
      </div>
      <div class="field">
        <label for="erase-confirm">Type the month again to confirm</label>
        <input
          id="erase-confirm"
          value=${typed}
          onInput=${(e) => setTyped(e.target.value)}
          placeholder=${month || 'YYYY-MM'}
          autocomplete="off"
          aria-describedby="erase-confirm-hint"
        />
        <small id="erase-confirm-hint" class="muted">${month ? `Type ${month}` : 'Choose a month first'}</small>
      </div>
      <div class="actions">
        <button type="submit" class="danger" disabled=${!ready || busy}>Erase ${month || 'month'}</button>
      </div>
    </form>
    <${Notice} failure=${failure} ok=${ok} />
  </section>`;
}
