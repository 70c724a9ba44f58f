// "Try a call": the facts of a call in, the policy's decision and its reasons out, from the same
// engine as the gate and `callrec explain` (POST /api/rules/try).
import { api, describedBy, Field, html, Notice, useState } from './lib.js';

const TEXT = [
  ['from', 'From', 'tel', 'as the PBX gives it, e.g. 2125550123'],
  ['to', 'To', 'tel'],
  ['flow', 'Flow'],
  ['applet', 'Applet'],
  ['campaign', 'Campaign'],
  ['agent', 'Agent'],
  ['language', 'Language', 'text', 'e.g. en, es'],
];

function Answer({ answer }) {
  const d = answer.decision;
  const yes = (b) => (b ? 'yes' : 'no');
  const facts = [
    ['Record', d.record],
    ['Consent', d.consent],
    ['Greeting', d.greeting ? `${d.greeting.sound} (${d.greeting.language})` : 'none'],
    ['Pause allowed', yes(d.pauseAllowed)],
    ['Beep', yes(d.beep)],
    ['Stereo', yes(d.stereo)],
    ['Tier', `${d.tier} (${answer.tierLength})`],
    ['Numbers', `${d.from ?? 'withheld'} → ${d.to ?? 'withheld'}`],
    ['Jurisdictions', d.jurisdictions.length ? d.jurisdictions.join(', ') : 'none'],
    ['Decided by', `${d.source ?? '—'}${d.fallback ? ` (${d.fallback})` : ''}`],
  ];
  return html`<div class="try-answer" role="status" aria-live="polite">
    <dl>
      ${facts.map(
        ([k, v]) =>
          html`<dt>${k}</dt>
            <dd data-fact=${k.toLowerCase()}>${v}</dd>`,
      )}
    </dl>
    <h3>Reasons</h3>
    <ol class="reasons">
      ${d.reasons.map((r) => html`<li>${r}</li>`)}
    </ol>
    ${
      d.placed?.length > 0 &&
      html`<ul class="muted">
        ${d.placed.map((p) => html`<li>${p}</li>`)}
      </ul>`
    }
    ${answer.atAnswer && html`<${AtAnswer} agent=${answer.agent} o=${answer.atAnswer} />`}
  </div>`;
}

const THEN = {
  start: 'recording starts at the answer',
  keep: "the gate's recording goes on",
  wait: 'recorded only from *44 (or the API)',
  none: 'not recorded',
};

/** What the agent's own recording mode does when they answer (users, docs/users.md). */
function AtAnswer({ agent, o }) {
  return html`<section class="try-at-answer" aria-label="When the agent answers">
    <h3>When agent ${agent} answers</h3>
    <p data-fact="at-answer">${THEN[o.action]}; pause ${o.pauseAllowed ? 'allowed' : 'not allowed'}; ${o.tier} tier</p>
    <ol class="reasons">
      ${o.reasons.map((r) => html`<li>${r}</li>`)}
    </ol>
    <p class="muted">A caller who declined is never recorded, whatever the mode.</p>
  </section>`;
}

export function TryCall({ enums }) {
  const [v, setV] = useState({ direction: 'inbound' });
  const [answer, setAnswer] = useState(null);
  const [failure, setFailure] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    setFailure(null);
    const body = {};
    for (const [k, x] of Object.entries(v)) if (x.trim() !== '') body[k] = x.trim();
    try {
      setAnswer({ ...(await api('POST', '/api/rules/try', body)), agent: body.agent });
    } catch (err) {
      setAnswer(null);
      setFailure(err);
    }
  };
  const set = (k) => (e) => setV({ ...v, [k]: e.target.value });
  const id = (k) => `try-${k}`;
  return html`<section class="try-call" aria-labelledby="try-h">
    <h2 id="try-h">Try a call</h2>
    <p class="muted">What the gate would decide for a call with these facts, now, and why.</p>
    <form class="grid" onSubmit=${submit} aria-labelledby="try-h" novalidate>
      <${Field} id=${id('direction')} name="body.direction" label="Direction" failure=${failure}>
        <select id=${id('direction')} value=${v.direction} onChange=${set('direction')}>
          ${enums.directions.map((d) => html`<option value=${d}>${d}</option>`)}
        </select>
      </${Field}>
      ${TEXT.map(
        ([
          k,
          label,
          type,
          hint,
        ]) => html`<${Field} id=${id(k)} name=${`body.${k}`} label=${label} failure=${failure} hint=${hint}>
          <input
            id=${id(k)}
            value=${v[k] ?? ''}
            onInput=${set(k)}
            inputmode=${type === 'tel' ? 'tel' : undefined}
            aria-describedby=${describedBy(failure, `body.${k}`, id(k)) ?? (hint ? `${id(k)}-hint` : undefined)}
          />
        </${Field}>`,
      )}
      <div class="actions"><button type="submit">Try it</button></div>
    </form>
    <${Notice} failure=${failure && failure.fields.length === 0 ? failure : null} />
    ${answer && html`<${Answer} answer=${answer} />`}
  </section>`;
}
