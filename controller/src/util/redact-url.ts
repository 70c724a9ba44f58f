// A URL as callrec may print it: the password of user:password@ masked, whatever the scheme
// (database, ARI, webhook URLs all accept credentials there).
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (!u.password) return url;
    u.password = '***';
    return u.toString().replace(/\/$/, url.endsWith('/') ? '/' : '');
  } catch {
    // Unparseable: mask anything between "//user:" and "@" by text.
    return url.replace(/(\/\/[^/:@]*:)[^@]*@/, '$1***@');
  }
}

/** Free text (an error message) with the password of every URL in it masked. */
export const redactUrlsIn = (text: string): string =>
  text.replace(/([a-z][a-z0-9+.-]*:\/\/[^\s/:@]*:)[^\s@/]*@/gi, '$1***@');
