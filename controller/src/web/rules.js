// Rules: the effective rules in tables (edited in place), "try a call", YAML import/export, and
// forms that add a flow, an applet rule or a campaign. Every form sends the same body the YAML
// import takes, and shows the API's problems under the field they name (params.flow,
// body.defaults.record, ...); problems naming no field on the form go underneath.
import { api, errorsFor, Field, html, loadEnums, Notice, useEffect, useState } from './lib.js';
import { RulesYaml } from './rules-yaml.js';
import { RuleTables } from './rules-tables.js';
import { TryCall } from './try-call.js';

// Field names are the API's: where the value goes (params.x or body.a.b) is the name itself.
const ruleFields = (prefix, enums) => [
  { name: `${prefix}record`, label: 'Record', options: enums.recordModes },
  { name: `${prefix}consent`, label: 'Consent', options: enums.consentModes },
  { name: `${prefix}tier`, label: 'Tier', options: enums.tiers },
  { name: `${prefix}pause`, label: 'Agents may pause', options: ['true', 'false'] },
  { name: `${prefix}beep`, label: 'Beep', options: ['true', 'false'] },
  { name: `${prefix}stereo`, label: 'Stereo', options: ['true', 'false'] },
];

const forms = (enums) => [
  {
    id: 'flow',
    title: 'Flow',
    legend: 'Add or replace a flow',
    path: (p) => `/api/flows/${p.flow}`,
    fields: [
      { name: 'params.flow', label: 'Flow name', required: true, hint: 'letters, digits, _ . - (up to 64)' },
      { name: 'body.description', label: 'Description' },
      { name: 'body.enabled', label: 'Enabled', options: ['true', 'false'] },
      ...ruleFields('body.defaults.', enums),
    ],
  },
  {
    id: 'applet',
    title: 'Applet rule',
    legend: 'Add or replace an applet rule',
    path: (p) => `/api/flows/${p.flow}/applets/${p.applet}`,
    fields: [
      { name: 'params.flow', label: 'Flow name', required: true },
      { name: 'params.applet', label: 'Applet name', required: true },
      { name: 'body.kind', label: 'Applet kind', required: true, hint: 'e.g. dial, queue, ivr' },
      ...ruleFields('body.', enums),
    ],
  },
  {
    id: 'campaign',
    title: 'Campaign',
    legend: 'Add or replace a campaign',
    path: (p) => `/api/campaigns/${p.campaign}`,
    fields: [
      { name: 'params.campaign', label: 'Campaign name', required: true },
      { name: 'body.enabled', label: 'Enabled', options: ['true', 'false'] },
      ...ruleFields('body.', enums),
    ],
  },
];

/** { params, body } from the form's values; empty means "inherit" and is left out. */
function request(values) {
  const params = {};
  const body = {};
  for (const [name, raw] of Object.entries(values)) {
    if (raw === '') continue;
    const [where, ...path] = name.split('.');
    const value = raw === 'true' ? true : raw === 'false' ? false : raw;
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

function RuleForm({ spec, onSaved }) {
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
    const { params, body } = request(values);
    try {
      await api('PUT', spec.path(params), body);
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
                <option value="">(inherit)</option>
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
    <button type="submit">Save ${spec.title.toLowerCase()}</button>
  </form>`;
}

export function Rules() {
  const [enums, setEnums] = useState(null);
  const [rules, setRules] = useState(null);
  const [failure, setFailure] = useState(null);
  const [version, setVersion] = useState(0);
  const changed = () => setVersion((n) => n + 1);
  useEffect(() => {
    loadEnums().then(setEnums);
  }, []);
  useEffect(() => {
    api('GET', '/api/rules/effective').then((r) => {
      setRules(r);
      setFailure(null);
    }, setFailure);
  }, [version]);
  if (!enums) return html`<p class="muted">Loading…</p>`;
  // The users table (roles, modes) joins these when the users issue lands.
  return html`<div class="rules">
    <${Notice} failure=${failure} />
    ${rules && html`<${RuleTables} rules=${rules} enums=${enums} onChanged=${changed} />`}
    <${TryCall} enums=${enums} />
    <section aria-labelledby="add-h">
      <h2 id="add-h">Add</h2>
      ${forms(enums).map((spec) => html`<${RuleForm} key=${spec.id} spec=${spec} onSaved=${changed} />`)}
    </section>
    <${RulesYaml} onChanged=${changed} />
  </div>`;
}
