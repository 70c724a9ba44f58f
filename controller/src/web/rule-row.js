// One rule as a table row: its effective values (an inherited one says where it comes from),
// edited in place. Saving sends the API's own body; its `fields` problems show under the select
// they name (body.consent, body.defaults.record, ...), any other problem in a row underneath.
// The edit cell, the row's action and buttons, and that problem row serve the users table too.
import { api, ApiFailure, errorsFor, html, Notice, useState } from './lib.js';

export const RULE_FIELDS = [
  { key: 'record', label: 'Record', options: (e) => e.recordModes },
  { key: 'consent', label: 'Consent', options: (e) => e.consentModes },
  { key: 'tier', label: 'Tier', options: (e) => e.tiers },
  { key: 'pause', label: 'Pause', options: () => ['true', 'false'] },
  { key: 'beep', label: 'Beep', options: () => ['true', 'false'] },
  { key: 'stereo', label: 'Stereo', options: () => ['true', 'false'] },
];

const show = (v) => (typeof v === 'boolean' ? (v ? 'yes' : 'no') : String(v));
const parse = (s) => (s === 'true' ? true : s === 'false' ? false : s);

/** The fields set at this level (inherited ones left out), greeting included. */
export function ownFields(eff, level) {
  const out = {};
  for (const [k, f] of Object.entries(eff)) if (f.from === level) out[k] = f.value;
  return out;
}

function Value({ field, level }) {
  if (field.from === level) return html`<span class="own">${show(field.value)}</span>`;
  return html`<span class="inherited"
    >${show(field.value)} <small title=${`inherited from ${field.from}`}>from ${field.from}</small></span
  >`;
}

/**
 * One control of a row being edited, with the API's problems under it: a select when `options`
 * ([value, label] pairs, after an `empty` option when given) is set, a text input otherwise.
 */
export function EditCell({ id, field, label, problems, value, onChange, empty, options }) {
  const bad = problems.length > 0;
  const aria = { 'aria-invalid': bad ? 'true' : undefined, 'aria-describedby': bad ? `${id}-error` : undefined };
  return html`<td data-field=${field} class=${bad ? 'invalid' : ''}>
    <label class="sr-only" for=${id}>${label}</label>
    ${
      options
        ? html`<select id=${id} value=${value} onChange=${(e) => onChange(e.target.value)} ...${aria}>
            ${empty !== undefined && html`<option value="">${empty}</option>`}
            ${options.map(([v, text]) => html`<option value=${v}>${text}</option>`)}
          </select>`
        : html`<input id=${id} value=${value} onInput=${(e) => onChange(e.target.value)} ...${aria} />`
    }
    ${bad && html`<small id=${`${id}-error`} class="field-error" role="alert">${problems.join('; ')}</small>`}
  </td>`;
}

/** A row's action (save, delete, ...): busy while it runs, its refusal kept as an ApiFailure. */
export function useRowAction(onDone) {
  const [failure, setFailure] = useState(null);
  const [busy, setBusy] = useState(false);
  const act = async (fn) => {
    setFailure(null);
    setBusy(true);
    try {
      await fn();
      onDone();
    } catch (e) {
      setFailure(e instanceof ApiFailure ? e : new ApiFailure(0, { message: String(e) }));
    } finally {
      setBusy(false);
    }
  };
  return { failure, setFailure, busy, act };
}

/** Save and Cancel while editing; Edit, `extra` and Delete otherwise. */
export function RowActions({ label, editing, busy, onSave, onCancel, onEdit, onRemove, extra }) {
  return html`<td class="row-actions">
    ${
      editing
        ? html`<button type="button" disabled=${busy} onClick=${onSave} aria-label=${`Save ${label}`}>Save</button>
            <button type="button" class="secondary" onClick=${onCancel}>Cancel</button>`
        : html`<button type="button" class="secondary" onClick=${onEdit} aria-label=${`Edit ${label}`}>Edit</button>
            ${extra}
            ${onRemove && html`<button type="button" class="danger" onClick=${onRemove} aria-label=${`Delete ${label}`}>Delete</button>`}`
    }
  </td>`;
}

/** The problems no control of the row names (or a refusal naming none), in a row underneath. */
export function RowProblems({ failure, known, columns }) {
  const loose = failure && (failure.fields.length === 0 || failure.fields.some((p) => !known.includes(p.field)));
  return (
    loose &&
    html`<tr class="row-error">
      <td colspan=${columns}><${Notice} failure=${failure} /></td>
    </tr>`
  );
}

/**
 * row: { key, label, sub, level, kind, eff, base, prefix, enabled?, save(fields), toggle?(), remove() }.
 * `base` is the rule this one inherits from (null for the account settings).
 */
export function RuleRow({ row, enums, onChanged, columns }) {
  const [editing, setEditing] = useState(null); // field -> '' (inherit) or a value, while editing
  const { failure, setFailure, busy, act } = useRowAction(() => {
    setEditing(null);
    onChanged();
  });
  const start = () => {
    const own = ownFields(row.eff, row.level);
    setEditing(Object.fromEntries(RULE_FIELDS.map((f) => [f.key, own[f.key] === undefined ? '' : String(own[f.key])])));
  };
  const save = () => {
    const fields = {};
    const greeting = ownFields(row.eff, row.level).greeting;
    if (greeting) fields.greeting = greeting;
    for (const [k, v] of Object.entries(editing)) if (v !== '') fields[k] = parse(v);
    return act(() => row.save(fields));
  };
  const remove = () => {
    if (window.confirm(`Delete ${row.what} ${row.label}?`)) void act(row.remove);
  };
  const cell = (f) => {
    const base = row.base?.[f.key];
    return html`<${EditCell}
      id=${`edit-${row.key.replace(/[^A-Za-z0-9_-]/g, '-')}-${f.key}`}
      field=${f.key}
      label=${`${f.label} of ${row.label}`}
      problems=${errorsFor(failure, `${row.prefix}${f.key}`)}
      value=${editing[f.key]}
      onChange=${(v) => setEditing({ ...editing, [f.key]: v })}
      empty=${base ? `inherit: ${show(base.value)} (${base.from})` : 'built-in default'}
      options=${f.options(enums).map((o) => [o, show(parse(o))])}
    />`;
  };
  return html`<tr data-rule=${row.key} class=${row.sub ? 'sub' : ''}>
      <th scope="row">
        ${row.label} ${row.enabled === false && html` <span class="badge">disabled</span>`}
        ${row.description && html`<br /><small class="muted">${row.description}</small>`}
      </th>
      <td>${row.kind ?? ''}</td>
      ${RULE_FIELDS.map((f) =>
        editing ? cell(f) : html`<td data-field=${f.key}><${Value} field=${row.eff[f.key]} level=${row.level} /></td>`,
      )}
      <${RowActions}
        label=${row.label}
        editing=${editing}
        busy=${busy}
        onSave=${save}
        onCancel=${() => (setEditing(null), setFailure(null))}
        onEdit=${start}
        onRemove=${row.remove && remove}
        extra=${
          row.toggle &&
          html`<button
            type="button"
            class="secondary"
            onClick=${() => act(row.toggle)}
            aria-label=${`${row.enabled ? 'Disable' : 'Enable'} ${row.label}`}
          >
            ${row.enabled ? 'Disable' : 'Enable'}
          </button>`
        }
      />
    </tr>
    <${RowProblems} failure=${failure} known=${RULE_FIELDS.map((f) => `${row.prefix}${f.key}`)} columns=${columns} />`;
}

export const put = (path, body) => api('PUT', path, body);
export const del = (path) => api('DELETE', path);
