// Rules: the effective rules in tables (edited in place), the users and their modes, "try a
// call", YAML import/export, and forms that add a flow, an applet rule or a campaign. Every form
// sends the same body the YAML import takes, and shows the API's problems under the field they
// name (params.flow, body.defaults.record, ...); problems naming no field on the form go underneath.
// Supervisors get the users table alone, read only (the rest is the admin's: GET /api/users is the
// only rules route they may read).
import { html, loadEnums, Notice, useApi, useEffect, useState } from './lib.js';
import { RuleForm } from './rule-form.js';
import { RulesYaml } from './rules-yaml.js';
import { RuleTables } from './rules-tables.js';
import { TryCall } from './try-call.js';
import { UsersTable } from './users-table.js';

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

function AdminRules({ me, enums }) {
  const [version, setVersion] = useState(0);
  const changed = () => setVersion((n) => n + 1);
  const [rules, failure] = useApi('/api/rules/effective', version);
  return html`<div class="rules">
    <${Notice} failure=${failure} />
    ${rules && html`<${RuleTables} rules=${rules} enums=${enums} onChanged=${changed} />`}
    <${UsersTable} me=${me} enums=${enums} version=${version} />
    <${TryCall} enums=${enums} />
    <section aria-labelledby="add-h">
      <h2 id="add-h">Add</h2>
      ${forms(enums).map((spec) => html`<${RuleForm} key=${spec.id} spec=${spec} onSaved=${changed} />`)}
    </section>
    <${RulesYaml} onChanged=${changed} />
  </div>`;
}

export function Rules({ me }) {
  const [enums, setEnums] = useState(null);
  useEffect(() => {
    loadEnums().then(setEnums);
  }, []);
  if (!enums) return html`<p class="muted">Loading…</p>`;
  if (me.role !== 'admin') return html`<div class="rules"><${UsersTable} me=${me} enums=${enums} /></div>`;
  return html`<${AdminRules} me=${me} enums=${enums} />`;
}
