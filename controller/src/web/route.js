// Hash routes: `#/<tab>` and `#/recordings/<id>`. The hash is left alone while the sign-in screen
// shows, so a link to a recording opened in a fresh tab lands on it once the key is accepted.
import { useEffect, useState } from './lib.js';

/** { tab, id } from `#/recordings/42`, `#/rules` or the older `#rules`. */
export function parseHash(hash = location.hash) {
  const [tab = '', id = ''] = hash.replace(/^#\/?/, '').split('/');
  return { tab, id: /^[1-9]\d{0,15}$/.test(id) ? id : null };
}

export const go = (tab, id = null) => {
  const next = id ? `#/${tab}/${id}` : `#/${tab}`;
  if (location.hash !== next) location.hash = next;
};

export function useRoute() {
  const [route, setRoute] = useState(parseHash);
  useEffect(() => {
    const on = () => setRoute(parseHash());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}
