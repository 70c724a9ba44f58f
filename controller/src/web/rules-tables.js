// Rules at a glance: the account settings, every flow with its applet rules, and the campaigns,
// each field with its effective value (GET /api/rules/effective) and edited in place.
import { DataTable, html } from './lib.js';
import { del, ownFields, put, RULE_FIELDS, RuleRow } from './rule-row.js';

const COLUMNS = [
  'Rule',
  'Kind',
  ...RULE_FIELDS.map((f) => f.label),
  { label: html`<span class="sr-only">Actions</span>` },
];
const enc = encodeURIComponent;

function accountRows(account) {
  return ['inbound', 'outbound', 'internal'].map((k) => ({
    key: `account/${k}`,
    label: k,
    what: 'setting',
    level: 'account',
    kind:
      k === 'inbound'
        ? 'calls no flow covers'
        : k === 'outbound'
          ? 'calls no campaign covers'
          : 'extension to extension',
    eff: account[k],
    base: null,
    prefix: 'body.',
    save: (fields) => put(`/api/settings/${k}`, fields),
  }));
}

function flowRows(flows, account) {
  return flows.flatMap((f) => {
    const flowBody = (defaults, enabled = f.enabled) => ({
      ...(f.description !== null ? { description: f.description } : {}),
      enabled,
      defaults,
    });
    const flow = {
      key: f.name,
      label: f.name,
      what: 'flow',
      description: f.description,
      level: 'flow',
      kind: 'flow default',
      enabled: f.enabled,
      eff: f.defaults,
      base: account.inbound,
      prefix: 'body.defaults.',
      save: (fields) => put(`/api/flows/${enc(f.name)}`, flowBody(fields)),
      toggle: () => put(`/api/flows/${enc(f.name)}`, flowBody(ownFields(f.defaults, 'flow'), !f.enabled)),
      remove: () => del(`/api/flows/${enc(f.name)}`),
    };
    const applets = f.applets.map((a) => ({
      key: `${f.name}/${a.name}`,
      label: `${f.name}/${a.name}`,
      what: 'applet rule',
      sub: true,
      level: 'applet',
      kind: a.kind,
      eff: a.rule,
      base: f.defaults,
      prefix: 'body.',
      save: (fields) => put(`/api/flows/${enc(f.name)}/applets/${enc(a.name)}`, { kind: a.kind, ...fields }),
      remove: () => del(`/api/flows/${enc(f.name)}/applets/${enc(a.name)}`),
    }));
    return [flow, ...applets];
  });
}

function campaignRows(campaigns, account) {
  return campaigns.map((c) => ({
    key: `campaign/${c.name}`,
    label: c.name,
    what: 'campaign',
    level: 'campaign',
    kind: 'outbound',
    enabled: c.enabled,
    eff: c.rule,
    base: account.outbound,
    prefix: 'body.',
    save: (fields) => put(`/api/campaigns/${enc(c.name)}`, { enabled: c.enabled, ...fields }),
    toggle: () => put(`/api/campaigns/${enc(c.name)}`, { enabled: !c.enabled, ...ownFields(c.rule, 'campaign') }),
    remove: () => del(`/api/campaigns/${enc(c.name)}`),
  }));
}

function Table({ id, title, caption, rows, enums, onChanged, empty, note }) {
  return html`<section aria-labelledby=${id}>
    <h2 id=${id}>${title}</h2>
    ${
      rows.length === 0
        ? html`<p class="muted">${empty}</p>`
        : html`<${DataTable} caption=${caption} className="rules-table" columns=${COLUMNS}>
            ${rows.map(
              (r) =>
                html`<${RuleRow}
                  key=${r.key}
                  row=${r}
                  enums=${enums}
                  onChanged=${onChanged}
                  columns=${COLUMNS.length}
                />`,
            )}
          <//>`
    }
    ${note && html`<p class="muted">${note}</p>`}
  </section>`;
}

/** `rules`: the answer of GET /api/rules/effective. */
export function RuleTables({ rules, enums, onChanged }) {
  return html`<p class="muted">
      Values in <span class="inherited">grey</span> are inherited: an applet rule from its flow's defaults, a flow from
      the account's inbound setting, a campaign from the outbound one. A caller's or callee's jurisdiction may still
      raise consent for a call: try one below.
    </p>
    ${tables(rules).map((t) => html`<${Table} key=${t.id} ...${t} enums=${enums} onChanged=${onChanged} />`)}`;
}

const tables = ({ account, flows, campaigns }) => [
  {
    id: 'account-h',
    title: 'Account settings',
    caption: 'Account settings: the rules for calls no flow or campaign covers',
    rows: accountRows(account),
    note: `Greeting languages: ${account.languages.join(', ')}`,
  },
  {
    id: 'flows-h',
    title: 'Flows and applet rules',
    caption: 'Flows, each followed by its applet rules, with effective values',
    rows: flowRows(flows, account),
    empty: 'No flows yet: add one below, or import a flows.yaml.',
  },
  {
    id: 'campaigns-h',
    title: 'Campaigns',
    caption: 'Campaigns with effective values',
    rows: campaignRows(campaigns, account),
    empty: 'No campaigns yet.',
  },
];
