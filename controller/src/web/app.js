// The shell: sign in with an API key, then the tabs the key's role may use.
import {
  api,
  ApiFailure,
  html,
  Notice,
  render,
  ROLE_TABS,
  session,
  setUnauthorizedHandler,
  useEffect,
  useState,
} from './lib.js';
import { Recordings } from './recordings.js';
import { LiveCalls } from './live.js';
import { Rules } from './rules.js';
import { Reports } from './reports.js';
import { Audit } from './audit.js';
import { go, useRoute } from './route.js';

const TITLES = {
  recordings: 'Recordings',
  live: 'Calls in progress',
  rules: 'Rules',
  reports: 'Reports',
  audit: 'Audit trail',
};
const SCREENS = { recordings: Recordings, live: LiveCalls, rules: Rules, reports: Reports, audit: Audit };

function SignIn({ onSignedIn, reason }) {
  const [key, setKey] = useState('');
  const [failure, setFailure] = useState(reason ? new ApiFailure(401, { message: reason }) : null);
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    try {
      const me = await api('GET', '/api/me', undefined, key.trim());
      session.save(key.trim());
      onSignedIn(me);
    } catch (err) {
      setFailure(err instanceof ApiFailure ? err : new ApiFailure(0, { message: String(err) }));
    } finally {
      setBusy(false);
    }
  };
  return html`<main class="signin">
    <h1>callrec</h1>
    <form onSubmit=${submit} aria-labelledby="signin-title">
      <h2 id="signin-title">Sign in</h2>
      <div class="field">
        <label for="api-key">API key</label>
        <input
          id="api-key"
          type="password"
          autocomplete="off"
          required
          value=${key}
          onInput=${(e) => setKey(e.target.value)}
          aria-describedby="api-key-hint"
        />
        <small id="api-key-hint" class="muted"
          >From <code>callrec keys create</code>. Kept in this tab only (session storage).</small
        >
      </div>
      <${Notice} failure=${failure} />
      <button type="submit" disabled=${busy}>Sign in</button>
    </form>
  </main>`;
}

function Shell({ me, onSignOut }) {
  const tabs = ROLE_TABS[me.role] ?? ['recordings'];
  const route = useRoute();
  const tab = tabs.includes(route.tab) ? route.tab : tabs[0];
  const setTab = (t) => go(t);
  useEffect(() => {
    if (route.tab !== tab) history.replaceState(null, '', `#/${tab}`);
    document.title = `${TITLES[tab]} · callrec`;
  }, [tab, route.tab]);
  const Screen = SCREENS[tab];
  return html`<div class="shell">
    <header>
      <strong class="brand">callrec</strong>
      <nav aria-label="Sections">
        ${tabs.map(
          (t) =>
            html`<button
              type="button"
              class=${t === tab ? 'tab current' : 'tab'}
              aria-current=${t === tab ? 'page' : undefined}
              onClick=${() => setTab(t)}
            >
              ${TITLES[t]}
            </button>`,
        )}
      </nav>
      <span class="who">${me.name} · ${me.role}${me.agent ? ` ${me.agent}` : ''}</span>
      <button type="button" class="link" onClick=${onSignOut}>Sign out</button>
    </header>
    <main id="main">
      <h1>${TITLES[tab]}</h1>
      <${Screen} me=${me} id=${route.id} />
    </main>
  </div>`;
}

function App() {
  const [me, setMe] = useState(null);
  const [checking, setChecking] = useState(Boolean(session.key()));
  const [reason, setReason] = useState(null);
  const signOut = (why = null) => {
    session.clear();
    setMe(null);
    setReason(why);
  };
  useEffect(() => {
    setUnauthorizedHandler(() => signOut('Your key was refused (revoked or unknown): sign in again.'));
    if (!session.key()) return;
    api('GET', '/api/me')
      .then(setMe, () => signOut())
      .finally(() => setChecking(false));
  }, []);
  if (checking) return html`<p class="muted">Checking your key…</p>`;
  return me
    ? html`<${Shell} me=${me} onSignOut=${() => signOut()} />`
    : html`<${SignIn} onSignedIn=${setMe} reason=${reason} />`;
}

const root = document.getElementById('app');
root.textContent = ''; // render() diffs against existing children: drop the loading line first
render(html`<${App} />`, root);
