// One rule as a table row: its effective values (an inherited one says where it comes from),
// edited in place. Saving sends the API's own body; its `fields` problems show under the select
// they name (body.consent, body.defaults.record, ...), any other problem in a row underneath.
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

function EditCell({ f, row, enums, value, onChange, failure }) {
  const id = `edit-${row.key.replace(/[^A-Za-z0-9_-]/g, '-')}-${f.key}`;
  const problems = errorsFor(failure, `${row.prefix}${f.key}`);
  const base = row.base?.[f.key];
  const inherit = base ? `inherit: ${show(base.value)} (${base.from})` : 'built-in default';
  return html`<td data-field=${f.key} class=${problems.length ? 'invalid' : ''}>
    <label class="sr-only" for=${id}>${f.label} of ${row.label}</label>
    <select
      id=${id}
      value=${value}
      onChange=${(e) => onChange(e.target.value)}
      aria-invalid=${problems.length ? 'true' : undefined}
      aria-describedby=${problems.length ? `${id}-error` : undefined}
    >
      <option value="">${inherit}</option>
      ${f.options(enums).map((o) => html`<option value=${o}>${show(parse(o))}</option>`)}
    </select>
    ${problems.length > 0 && html`<small id=${`${id}-error`} class="field-error" role="alert">${problems.join('; ')}</small>`}
  </td>`;
}

/**
 * row: { key, label, sub, level, kind, eff, base, prefix, enabled?, save(fields), toggle?(), remove() }.
 * `base` is the rule this one inherits from (null for the account settings).
 */
export function RuleRow({ row, enums, onChanged, columns }) {
  const [editing, setEditing] = useState(null); // field -> '' (inherit) or a value, while editing
  const [failure, setFailure] = useState(null);
  const [busy, setBusy] = useState(false);
  const act = async (fn) => {
    setFailure(null);
    setBusy(true);
    try {
      await fn();
      setEditing(null);
      onChanged();
    } catch (e) {
      setFailure(e instanceof ApiFailure ? e : new ApiFailure(0, { message: String(e) }));
    } finally {
      setBusy(false);
    }
  };
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
  const known = RULE_FIELDS.map((f) => `${row.prefix}${f.key}`);
  const loose = failure && (failure.fields.length === 0 || failure.fields.some((p) => !known.includes(p.field)));
  return html`<tr data-rule=${row.key} class=${row.sub ? 'sub' : ''}>
      <th scope="row">
        ${row.label} ${row.enabled === false && html` <span class="badge">disabled</span>`}
        ${row.description && html`<br /><small class="muted">${row.description}</small>`}
      </th>
      <td>${row.kind ?? ''}</td>
      ${RULE_FIELDS.map((f) =>
        editing
          ? html`<${EditCell}
              f=${f}
              row=${row}
              enums=${enums}
              value=${editing[f.key]}
              failure=${failure}
              onChange=${(v) => setEditing({ ...editing, [f.key]: v })}
            />`
          : html`<td data-field=${f.key}><${Value} field=${row.eff[f.key]} level=${row.level} /></td>`,
      )}
      <td class="row-actions">
        ${
          editing
            ? html`<button type="button" disabled=${busy} onClick=${save} aria-label=${`Save ${row.label}`}>
                  Save
                </button>
                <button type="button" class="secondary" onClick=${() => (setEditing(null), setFailure(null))}>
                  Cancel
                </button>`
            : html`<button type="button" class="secondary" onClick=${start} aria-label=${`Edit ${row.label}`}>
                  Edit
                </button>
                ${
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
                ${row.remove && html`<button type="button" class="danger" onClick=${remove} aria-label=${`Delete ${row.label}`}>Delete</button>`}`
        }
      </td>
    </tr>
    ${
      loose &&
      html`<tr class="row-error">
        <td colspan=${columns}><${Notice} failure=${failure} /></td>
      </tr>`
    }`;
}

export const put = (path, body) => api('PUT', path, body);
export const del = (path) => api('DELETE', path);
