// Users and their recording modes (GET /api/users): what each mode does, one line each, then the
// users in a table. Admins edit a user in place (PUT /api/users/:id), delete one, and add one
// below (POST /api/users); the API's problems show under the field they name (body.mode, body.id,
// ...). Supervisors read the same table, with no control to change it.
import { DataTable, errorsFor, html, Notice, useApi, useState } from './lib.js';
import { RuleForm } from './rule-form.js';
import { del, EditCell, put, RowActions, RowProblems, useRowAction } from './rule-row.js';

const FIELDS = ['name', 'mode', 'pause', 'tier'];
const enc = encodeURIComponent;
const yesNo = (b) => (b ? 'yes' : 'no');
/** What a mode says about pausing when the user's `pause` is not set (domain/user-mode.ts). */
const modePauses = (mode) => mode !== 'always';
const asMode = (mode) => `as the mode says: ${yesNo(modePauses(mode))}`;
const AS_RULE = 'as the rule says';

function ModeHelp() {
  return html`<div class="mode-help">
    <p>
      A user is the agent id the PBX reports (the extension that answers, e.g. 202). Their mode applies from the moment
      they answer a call, and to the calls they place:
    </p>
    <ul>
      <li><strong>always</strong>: recorded from the answer; no pause.</li>
      <li><strong>always-with-pause</strong>: recorded from the answer; the user may pause and resume.</li>
      <li><strong>on-demand</strong>: recorded only when the user asks (*44 or the API).</li>
    </ul>
    <p class="muted">
      A user's mode never records a caller who declined, nor lowers the consent the call's rule asks for. Pause, when
      set, overrides what the mode says; a user's tier only ever lengthens what the call's rule keeps.
    </p>
  </div>`;
}

const addForm = (enums) => ({
  id: 'user',
  title: 'User',
  legend: 'Add a user',
  method: 'POST',
  verb: 'Add',
  path: () => '/api/users',
  fields: [
    { name: 'body.id', label: 'User id', required: true, hint: 'the agent id the PBX reports, e.g. 202' },
    { name: 'body.name', label: 'Name' },
    { name: 'body.mode', label: 'Mode', required: true, options: enums.userModes, empty: '(choose a mode)' },
    { name: 'body.pause', label: 'May pause', options: ['true', 'false'], empty: '(as the mode says)' },
    { name: 'body.tier', label: 'Tier', options: enums.tiers, empty: `(${AS_RULE})` },
  ],
});

function Shown({ user }) {
  const set = (v) => html`<span class="own">${v}</span>`;
  const unset = (text) => html`<span class="inherited">${text}</span>`;
  return html`<td data-field="name">${user.name ?? unset('—')}</td>
    <td data-field="mode">${set(user.mode)}</td>
    <td data-field="pause">${user.pause === undefined ? unset(asMode(user.mode)) : set(yesNo(user.pause))}</td>
    <td data-field="tier">${user.tier === undefined ? unset(AS_RULE) : set(user.tier)}</td>`;
}

function UserRow({ user, enums, editable, onChanged, columns }) {
  const [editing, setEditing] = useState(null); // field -> the text of its control, while editing
  const { failure, setFailure, busy, act } = useRowAction(() => {
    setEditing(null);
    onChanged();
  });
  const label = `user ${user.id}`;
  const start = () =>
    setEditing({
      name: user.name ?? '',
      mode: user.mode,
      pause: user.pause === undefined ? '' : String(user.pause),
      tier: user.tier ?? '',
    });
  const save = () => {
    const body = { mode: editing.mode };
    if (editing.name.trim() !== '') body.name = editing.name.trim();
    if (editing.pause !== '') body.pause = editing.pause === 'true';
    if (editing.tier !== '') body.tier = editing.tier;
    return act(() => put(`/api/users/${enc(user.id)}`, body));
  };
  const remove = () => {
    if (window.confirm(`Delete ${label}? Their calls then follow the call's rule alone.`))
      void act(() => del(`/api/users/${enc(user.id)}`));
  };
  const cell = (field, what, choices) =>
    html`<${EditCell}
      id=${`user-edit-${user.id.replace(/[^A-Za-z0-9_-]/g, '-')}-${field}`}
      field=${field}
      label=${`${what} of ${label}`}
      problems=${errorsFor(failure, `body.${field}`)}
      value=${editing[field]}
      onChange=${(v) => setEditing({ ...editing, [field]: v })}
      ...${choices}
    />`;
  return html`<tr data-user=${user.id}>
      <th scope="row">${user.id}</th>
      ${
        editing
          ? [
              cell('name', 'Name'),
              cell('mode', 'Mode', { options: enums.userModes.map((m) => [m, m]) }),
              cell('pause', 'Pause', {
                empty: asMode(editing.mode),
                options: [
                  ['true', 'yes'],
                  ['false', 'no'],
                ],
              }),
              cell('tier', 'Tier', { empty: AS_RULE, options: enums.tiers.map((t) => [t, t]) }),
            ]
          : html`<${Shown} user=${user} />`
      }
      ${
        editable &&
        html`<${RowActions}
          label=${label}
          editing=${editing}
          busy=${busy}
          onSave=${save}
          onCancel=${() => (setEditing(null), setFailure(null))}
          onEdit=${start}
          onRemove=${remove}
        />`
      }
    </tr>
    <${RowProblems} failure=${failure} known=${FIELDS.map((f) => `body.${f}`)} columns=${columns} />`;
}

/** `version` changes when the rules change elsewhere on the page (a YAML import may replace users). */
export function UsersTable({ me, enums, version = 0 }) {
  const editable = me.role === 'admin';
  const [mine, setMine] = useState(0);
  const changed = () => setMine((n) => n + 1);
  const [answer, failure] = useApi('/api/users', version + mine); // both only grow: either changes the sum
  const users = answer?.items;
  const columns = ['User', 'Name', 'Mode', 'Pause', 'Tier'];
  if (editable) columns.push({ label: html`<span class="sr-only">Actions</span>` });
  return html`<section aria-labelledby="users-h" class="users">
    <h2 id="users-h">Users</h2>
    <${ModeHelp} />
    <${Notice} failure=${failure} />
    ${
      users &&
      (users.length === 0
        ? html`<p class="muted">No users yet: every call follows its rule alone.</p>`
        : html`<${DataTable} caption="Users and their recording modes" className="rules-table users" columns=${columns}>
            ${users.map(
              (u) =>
                html`<${UserRow}
                  key=${u.id}
                  user=${u}
                  enums=${enums}
                  editable=${editable}
                  onChanged=${changed}
                  columns=${columns.length}
                />`,
            )}
          <//>`)
    }
    ${
      editable
        ? html`<${RuleForm} spec=${addForm(enums)} onSaved=${changed} />`
        : html`<p class="muted">Only an admin can add, change or delete a user.</p>`
    }
  </section>`;
}
