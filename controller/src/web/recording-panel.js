// One recording: player (signed short-lived URL, since <audio> cannot send the key), speed,
// download, delete, hold/release and tier, and the details with the call's timeline.
import {
  api,
  fmtBytes,
  fmtDate,
  fmtDuration,
  html,
  Notice,
  useEffect,
  useLayoutEffect,
  useRef,
  useState,
} from './lib.js';
import { detailText, RecordingAudit } from './audit.js';

const SPEEDS = [0.75, 1, 1.25, 1.5, 2];
const audioToken = (id) => api('POST', `/api/recordings/${id}/audio-token`);

function Player({ rec }) {
  const audio = useRef(null);
  const [src, setSrc] = useState(null);
  const [speed, setSpeed] = useState(1);
  // The speed now, for a listener added earlier (a token refresh): its closure's would be stale.
  const speedNow = useRef(1);
  const [failure, setFailure] = useState(null);
  useEffect(() => {
    audioToken(rec.id).then((t) => setSrc(t.url), setFailure);
  }, [rec.id]);
  useEffect(() => {
    if (audio.current) audio.current.playbackRate = speed;
  }, [speed, src]);
  const changeSpeed = (s) => {
    speedNow.current = s;
    if (audio.current) audio.current.playbackRate = s;
    setSpeed(s);
  };
  // The token lives ~5 minutes: when a later Range request is refused, get a new one and go on
  // from the same position.
  const onError = async () => {
    const el = audio.current;
    if (!el || !src) return;
    const at = el.currentTime;
    try {
      const t = await audioToken(rec.id);
      el.addEventListener(
        'loadedmetadata',
        () => {
          el.currentTime = at;
          el.playbackRate = speedNow.current;
        },
        { once: true },
      );
      setSrc(t.url);
    } catch (e) {
      setFailure(e);
    }
  };
  const download = async () => {
    try {
      const t = await audioToken(rec.id);
      const a = document.createElement('a');
      a.href = `${t.url}&download=1`;
      a.download = '';
      document.body.append(a);
      a.click();
      a.remove();
    } catch (e) {
      setFailure(e);
    }
  };
  return html`<div class="player">
    ${src && html`<audio ref=${audio} controls preload="metadata" src=${src} onError=${onError} aria-label=${`Recording ${rec.id}`}></audio>`}
    <label for="speed">Speed</label>
    <select id="speed" value=${String(speed)} onChange=${(e) => changeSpeed(Number(e.target.value))}>
      ${SPEEDS.map((s) => html`<option value=${String(s)}>${s}x</option>`)}
    </select>
    <button type="button" onClick=${download}>Download</button>
    <${Notice} failure=${failure} />
  </div>`;
}

function Actions({ rec, me, enums, onChanged }) {
  const [reason, setReason] = useState('');
  const [tier, setTier] = useState(rec.tier);
  const [failure, setFailure] = useState(null);
  const [ok, setOk] = useState(null);
  const run = async (what, fn) => {
    setFailure(null);
    setOk(null);
    try {
      await fn();
      setOk(what);
      onChanged();
    } catch (e) {
      setFailure(e);
    }
  };
  const staff = me.role === 'admin' || me.role === 'supervisor';
  if (!staff) return null;
  const gone = rec.state === 'purged' || rec.state === 'purging';
  const del = () => {
    if (!window.confirm(`Delete recording ${rec.id}? The audio is removed for good.`)) return;
    run('Deleted.', () => api('DELETE', `/api/recordings/${rec.id}`, { reason: 'deleted from the dashboard' }));
  };
  // Hold and release both ask for a reason and post it to the recording's `action`.
  const reasoned = ({ action, label, button, placeholder, done }) =>
    html`<label for=${`${action}-reason`}>${label}</label>
      <input
        id=${`${action}-reason`}
        value=${reason}
        onInput=${(e) => setReason(e.target.value)}
        placeholder=${placeholder}
      />
      <button
        type="button"
        onClick=${() => run(done, () => api('POST', `/api/recordings/${rec.id}/${action}`, { reason }))}
      >
        ${button}
      </button>`;
  return html`<div class="rec-actions">
    <div>
      <button
        type="button"
        class="danger"
        onClick=${del}
        disabled=${rec.onHold || gone}
        aria-describedby=${rec.onHold ? 'hold-why' : undefined}
      >
        Delete
      </button>
      ${rec.onHold && html`<small id="hold-why" class="muted"> On hold${rec.holdReason ? ` (${rec.holdReason})` : ''}: release it before deleting.</small>`}
      <button
        type="button"
        class="secondary"
        aria-describedby="resync-hint"
        onClick=${() => run('Webhook queued again.', () => api('POST', `/api/recordings/${rec.id}/resync`))}
      >
        Resync
      </button>
      <small id="resync-hint" class="muted"> Resync re-sends its webhook (same idempotency key).</small>
    </div>
    ${
      !gone &&
      html`<div class="inline">
          ${
            !rec.onHold
              ? reasoned({
                  action: 'hold',
                  label: 'Hold reason',
                  button: 'Hold',
                  placeholder: 'case 2026-114',
                  done: 'On hold.',
                })
              : me.role === 'admin'
                ? reasoned({
                    action: 'release',
                    label: 'Release reason',
                    button: 'Release hold',
                    placeholder: 'case 2026-114 closed',
                    done: 'Released.',
                  })
                : html`<small class="muted">Only an admin can release a hold.</small>`
          }
        </div>
        <div class="inline">
          <label for="tier">Tier</label>
          <select id="tier" value=${tier} onChange=${(e) => setTier(e.target.value)}>
            ${enums.tiers.map((t) => html`<option value=${t}>${t}</option>`)}
          </select>
          <button
            type="button"
            onClick=${() => run(`Tier set to ${tier}.`, () => api('PUT', `/api/recordings/${rec.id}/tier`, { tier }))}
          >
            Set tier
          </button>
        </div>`
    }
    <${Notice} failure=${failure} ok=${ok} />
  </div>`;
}

function Details({ data }) {
  const { recording: r, call: c, events } = data;
  const reasons = c?.decision?.reasons ?? [];
  const facts = [
    ['Call', c ? `${c.id} on ${c.node} (${c.pbx})` : '—'],
    ['Direction', r.direction],
    ['From', c?.fromRaw && c.fromRaw !== r.from ? `${r.from} (dialled ${c.fromRaw})` : r.from],
    ['To', r.to],
    ['Agent', r.agent],
    ['Flow / applet', c ? `${c.flow ?? '—'} / ${c.applet ?? '—'}` : r.flow],
    ['Campaign', r.campaign],
    ['Started', fmtDate(r.startedAt)],
    ['Length', fmtDuration(r.durationMs)],
    ['Paused', fmtDuration(r.pausedMs)],
    ['Size', fmtBytes(r.sizeBytes)],
    ['Record mode', r.recordMode],
    ['Consent', c ? `${c.consentMode ?? '—'} → ${c.consentOutcome ?? '—'}` : '—'],
    ['Retain until', fmtDate(r.retainUntil)],
    ['Hangup', c?.hangupCause],
    ['Failure', r.failureReason],
  ];
  return html`<div class="details">
    <section aria-labelledby="facts-h">
      <h3 id="facts-h">Call facts</h3>
      <dl>
        ${facts.map(
          ([k, v]) =>
            html`<dt>${k}</dt>
              <dd>${v ?? '—'}</dd>`,
        )}
      </dl>
    </section>
    <section aria-labelledby="reasons-h">
      <h3 id="reasons-h">Why it was recorded this way</h3>
      ${
        reasons.length
          ? html`<ul>
              ${reasons.map((x) => html`<li>${x}</li>`)}
            </ul>`
          : html`<p class="muted">No decision reasons stored.</p>`
      }
      ${c?.fallbackReason && html`<p>Fallback: ${c.fallbackReason}</p>`}
    </section>
    <section aria-labelledby="timeline-h">
      <h3 id="timeline-h">Timeline</h3>
      <ol class="timeline">
        ${events.map(
          (e) =>
            html`<li>
              <time>${fmtDate(e.at)}</time> <strong>${e.type}</strong> ${e.actor && html` by ${e.actor}`}
              <span class="muted">${detailText(e.detail)}</span>
            </li>`,
        )}
      </ol>
    </section>
  </div>`;
}

export function RecordingPanel({ id, me, enums, onChanged, onClose }) {
  const [data, setData] = useState(null);
  const [failure, setFailure] = useState(null);
  const [version, setVersion] = useState(0);
  const heading = useRef(null);
  useEffect(() => {
    api('GET', `/api/recordings/${id}`).then(setData, setFailure);
  }, [id, version]);
  // In the render that shows the recording, not a frame later: an Escape pressed as soon as it
  // shows must reach the panel.
  useLayoutEffect(() => {
    if (data && version === 0) heading.current?.focus();
  }, [data]);
  const changed = () => {
    setVersion(version + 1);
    onChanged();
  };
  const onKeyDown = (e) => {
    if (e.key === 'Escape') onClose();
  };
  return html`<section class="panel" aria-labelledby="panel-h" onKeyDown=${onKeyDown}>
    <div class="panel-head">
      <h2 id="panel-h" tabindex="-1" ref=${heading}>Recording ${id}</h2>
      <button type="button" class="secondary" onClick=${onClose}>Close</button>
    </div>
    <${Notice} failure=${failure} />
    ${
      data &&
      html` ${data.recording.state === 'purged' ? html`<p class="muted">Purged ${fmtDate(data.recording.purgedAt)}: no audio.</p>` : html`<${Player} rec=${data.recording} />`}
        <${Actions}
          key=${`${data.recording.onHold}-${data.recording.tier}-${data.recording.state}`}
          rec=${data.recording}
          me=${me}
          enums=${enums}
          onChanged=${changed}
        />
        <${Details} data=${data} />
        ${me.role === 'admin' && html`<${RecordingAudit} id=${id} version=${version} />`}`
    }
  </section>`;
}
