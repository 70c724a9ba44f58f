// A form that adds or replaces one rule (a flow, an applet rule, a campaign, a user) by sending
// the API's own body; the API's problems show under the field they name (params.flow,
// body.defaults.record, body.id, ...), and problems naming no field on the form underneath.
//
// spec: { id, title, legend, path(params), method? (PUT), verb? (Save), fields: [{ name, label, required?, hint?,
// options?, empty? }] }: a field's name is where its value goes (params.x or body.a.b); `empty`
// labels a select's empty choice (default "(inherit)").
import { api, errorsFor, Field, html, Notice, useState } from './lib.js';

/**
 * { params, body } from the form's values; empty means "inherit" and is left out. Only a select's
 * "true" or "false" is a boolean: typed text stays text.
 */
function request(values, fields) {
  const params = {};
  const body = {};
  const selects = new Set(fields.filter((f) => f.options).map((f) => f.name));
  for (const [name, raw] of Object.entries(values)) {
    if (raw === '') continue;
    const [where, ...path] = name.split('.');
    const value = !selects.has(name) ? raw : raw === 'true' ? true : raw === 'false' ? false : raw;
    if (where === 'params') {
      params[path[0]] = encodeURIComponent(raw);
      continue;
    }
    let o = body;
    for (const k of path.slice(0, -1)) o = o[k] ??= {};
    o[path[path.length - 1]] = value;
  }
  return { params, body };
}

export function RuleForm({ spec, onSaved }) {
  const [values, setValues] = useState({});
  const [failure, setFailure] = useState(null);
  const [ok, setOk] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    setFailure(null);
    setOk(null);
    const missing = spec.fields.filter((f) => f.required && !(values[f.name] ?? '').trim());
    if (missing.length) {
      setFailure({
        message: 'required fields are empty',
        fields: missing.map((f) => ({ field: f.name, problem: 'required' })),
      });
      return;
    }
    const { params, body } = request(values, spec.fields);
    try {
      await api(spec.method ?? 'PUT', spec.path(params), body);
      setOk('Saved.');
      onSaved();
    } catch (err) {
      setFailure(err);
    }
  };
  const known = spec.fields.map((f) => f.name);
  const loose =
    failure &&
    failure.fields.length > 0 &&
    failure.fields.every((p) => !known.some((n) => errorsFor({ fields: [p] }, n).length));
  return html`<form class="rule-form" onSubmit=${submit} aria-labelledby=${`${spec.id}-h`} novalidate>
    <h3 id=${`${spec.id}-h`}>${spec.legend}</h3>
    <div class="grid">
      ${spec.fields.map((f) => {
        const id = `${spec.id}-${f.name.replace(/\./g, '-')}`;
        const described = errorsFor(failure, f.name).length ? `${id}-error` : f.hint ? `${id}-hint` : undefined;
        const onInput = (e) => setValues({ ...values, [f.name]: e.target.value });
        return html`<${Field} id=${id} name=${f.name} label=${f.label} failure=${failure} hint=${f.hint}>
        ${
          f.options
            ? html`<select
                id=${id}
                name=${f.name}
                value=${values[f.name] ?? ''}
                onChange=${onInput}
                aria-describedby=${described}
              >
                <option value="">${f.empty ?? '(inherit)'}</option>
                ${f.options.map((o) => html`<option value=${o}>${o}</option>`)}
              </select>`
            : html`<input
                id=${id}
                name=${f.name}
                value=${values[f.name] ?? ''}
                onInput=${onInput}
                aria-describedby=${described}
                aria-required=${f.required ? 'true' : undefined}
                aria-invalid=${errorsFor(failure, f.name).length > 0 ? 'true' : undefined}
              />`
        }
      </${Field}>`;
      })}
    </div>
    <${Notice} failure=${failure && (failure.fields.length === 0 || loose) ? failure : null} ok=${ok} />
    <button type="submit">${spec.verb ?? 'Save'} ${spec.title.toLowerCase()}</button>
  </form>`;
}
