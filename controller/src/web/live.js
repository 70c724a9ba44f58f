// Calls in progress, polled every 2.5 s (no page reload), with the recording actions.
import { api, DataTable, fmtDate, fmtDuration, html, Notice, useEffect, useState } from './lib.js';

const POLL_MS = 2500;

function allowed(call) {
  const s = call.recordingState;
  return {
    pause: s === 'recording' && call.pauseAllowed,
    resume: s === 'paused',
    start: s === null || s === 'pending' || s === 'failed',
  };
}

function Row({ call, onActed }) {
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState(null);
  const [failure, setFailure] = useState(null);
  const act = async (action) => {
    setBusy(true);
    setFailure(null);
    setMsg(null);
    try {
      const after = await api('POST', `/api/calls/${call.id}/recording/${action}`);
      setMsg(`Recording ${after.recordingState ?? 'off'}.`);
      onActed(after);
    } catch (e) {
      setFailure(e);
    } finally {
      setBusy(false);
    }
  };
  const can = allowed(call);
  const btn = (action, label) =>
    html`<button
      type="button"
      disabled=${busy || !can[action]}
      onClick=${() => act(action)}
      aria-label=${`${label} recording of call ${call.id}`}
    >
      ${label}
    </button>`;
  return html`<tr data-call=${call.id}>
    <td>${fmtDate(call.startedAt)}</td>
    <td>${call.direction}</td>
    <td>${call.from ?? '—'}</td>
    <td>${call.to ?? '—'}</td>
    <td>${call.agent ?? '—'}</td>
    <td>${call.flow ?? '—'}</td>
    <td class="rec-state" data-state=${call.recordingState ?? 'none'}>
      ${call.recordingState ?? 'not recording'}
      ${call.pausedMs > 0 && html` <span class="muted">(paused ${fmtDuration(call.pausedMs)})</span>`}
    </td>
    <td class="inline">
      ${btn('pause', 'Pause')}${btn('resume', 'Resume')}${btn('start', 'Start')}
      <span role="status" class="muted">${msg}</span><${Notice} failure=${failure} />
    </td>
  </tr>`;
}

export function LiveCalls() {
  const [calls, setCalls] = useState(null);
  const [failure, setFailure] = useState(null);
  const [updated, setUpdated] = useState(null);
  useEffect(() => {
    let stopped = false;
    const tick = () =>
      api('GET', '/api/calls/live').then(
        (r) => {
          if (!stopped) {
            setCalls(r.items);
            setFailure(null);
            setUpdated(new Date());
          }
        },
        (e) => {
          if (!stopped) setFailure(e);
        },
      );
    tick();
    const timer = setInterval(tick, POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, []);
  const replace = (after) => setCalls((cs) => cs.map((c) => (c.id === after.id ? after : c)));
  return html`<section aria-label="Calls in progress">
    <p class="muted">Refreshes every ${POLL_MS / 1000} s${updated ? `; last ${updated.toLocaleTimeString()}` : ''}.</p>
    <${Notice} failure=${failure} />
    ${calls && calls.length === 0 && html`<p class="muted" role="status">No calls in progress.</p>`}
    ${
      calls &&
      calls.length > 0 &&
      html`<${DataTable}
        caption="Calls in progress"
        className="live"
        columns=${['Started', 'Direction', 'From', 'To', 'Agent', 'Flow', 'Recording', 'Actions']}
      >
        ${calls.map((c) => html`<${Row} key=${c.id} call=${c} onActed=${replace} />`)}
      <//>`
    }
  </section>`;
}
