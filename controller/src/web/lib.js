// Shared pieces: preact + htm, the API client (key in sessionStorage, sent as a Bearer header,
// never in a URL), field-error plumbing and formatting.
import { h, render } from '/vendor/preact.mjs';
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from '/vendor/hooks.mjs';
import htm from '/vendor/htm.mjs';

export const html = htm.bind(h);
export { render, useCallback, useEffect, useLayoutEffect, useRef, useState };

const KEY = 'callrec.apiKey';
export const session = {
  key: () => sessionStorage.getItem(KEY),
  save: (k) => sessionStorage.setItem(KEY, k),
  clear: () => sessionStorage.removeItem(KEY),
};

/** A refused API call: the API's `{ error, message, fields? }` with the HTTP status. */
export class ApiFailure extends Error {
  constructor(status, body) {
    super(body?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.error ?? 'http-error';
    this.fields = Array.isArray(body?.fields) ? body.fields : [];
  }
}

let onUnauthorized = () => {};
export const setUnauthorizedHandler = (fn) => {
  onUnauthorized = fn;
};

export async function api(method, path, body, key = session.key()) {
  const headers = { Authorization: `Bearer ${key}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (res.ok && text && !(res.headers.get('content-type') ?? '').includes('json')) return text; // YAML, CSV
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = { message: text.slice(0, 200) };
  }
  if (res.status === 401 && path !== '/api/me') onUnauthorized();
  if (!res.ok) throw new ApiFailure(res.status, data);
  return data;
}

/** GET `path`, again whenever `version` changes: [data, failure], a failure cleared by the next answer. */
export function useApi(path, version = 0) {
  const [data, setData] = useState(null);
  const [failure, setFailure] = useState(null);
  useEffect(() => {
    api('GET', path).then((d) => {
      setData(d);
      setFailure(null);
    }, setFailure);
  }, [path, version]);
  return [data, failure];
}

export const query = (params) => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
};

/** Errors for one field: the API names fields as `query.number`, `params.flow`, `body.defaults.record`. */
export const errorsFor = (failure, name) =>
  (failure?.fields ?? []).filter((f) => f.field === name || f.field.startsWith(`${name}.`)).map((f) => f.problem);

/** A labelled control with its hint and the API's problems underneath, tied by aria-describedby. */
export function Field({ id, label, failure, name, children, hint }) {
  const problems = errorsFor(failure, name ?? id);
  return html`<div class=${`field${problems.length ? ' invalid' : ''}`}>
    <label for=${id}>${label}</label>
    ${children} ${hint && html`<small id=${`${id}-hint`} class="muted">${hint}</small>`}
    ${problems.length > 0 && html`<small id=${`${id}-error`} class="field-error" role="alert">${problems.join('; ')}</small>`}
  </div>`;
}

export const describedBy = (failure, name, id) => (errorsFor(failure, name).length ? `${id}-error` : undefined);

export function Notice({ failure, ok }) {
  if (failure)
    return html`<p class="notice error" role="alert">
      ${failure.message}${failure.status ? ` (HTTP ${failure.status})` : ''}
    </p>`;
  if (ok) return html`<p class="notice ok" role="status">${ok}</p>`;
  return null;
}

/**
 * A table that scrolls in its own box, with a caption for screen readers and one header row. A
 * column is its label, or `{ label, sort }` where `sort` is the header's aria-sort.
 */
export function DataTable({ caption, columns, className, foot, children }) {
  return html`<div class="table-wrap">
    <table class=${className}>
      <caption class="sr-only">
        ${caption}
      </caption>
      <thead>
        <tr>
          ${columns.map((c) => {
            const col = typeof c === 'string' ? { label: c } : c;
            return html`<th scope="col" aria-sort=${col.sort}>${col.label}</th>`;
          })}
        </tr>
      </thead>
      <tbody>
        ${children}
      </tbody>
      ${foot}
    </table>
  </div>`;
}

const pad = (n) => String(n).padStart(2, '0');
export const fmtDate = (iso) => {
  if (!iso) return '—';
  const d = new Date(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
};
export const fmtDuration = (ms) => {
  if (ms === null || ms === undefined) return '—';
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${pad(s % 60)}`;
};
export const fmtBytes = (n) => {
  if (n === null || n === undefined) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
};

let enumsPromise = null;
/** The allowed values (record modes, tiers, ...) as the server's schemas define them. */
export const loadEnums = () => (enumsPromise ??= fetch('/enums.json').then((r) => r.json()));

export const ROLE_TABS = {
  admin: ['recordings', 'live', 'rules', 'reports', 'audit'],
  supervisor: ['recordings', 'live', 'rules', 'reports'],
  agent: ['recordings', 'live'],
};
