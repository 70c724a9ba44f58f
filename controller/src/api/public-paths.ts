// Server paths never leave the API: the timeline's `file` is the PBX's absolute path, and the
// layout of the server's disks is not the client's business. A client sees the path relative to
// the recordings root, or only the file name.
import path from 'node:path';

const PATH_KEY = /(file|path|dir)$/i;
const isAbsolute = (s: string) => path.posix.isAbsolute(s) || path.win32.isAbsolute(s);

/** `p` as a client may see it. `rel`: the recording's own stored path, relative to the root. */
export function publicPath(p: string, root: string, rel?: string | null): string {
  if (!isAbsolute(p)) return p;
  if (rel && !isAbsolute(rel) && (p === rel || p.endsWith(`/${rel}`))) return rel;
  const under = path.relative(root, p);
  if (under && !under.startsWith('..') && !path.isAbsolute(under)) return under.split(path.sep).join('/');
  return path.posix.basename(p.replace(/\\/g, '/'));
}

/** An event's detail with every server path (a path-named field, or anything under the root) made public. */
export function withoutServerPaths(detail: unknown, root: string, rel?: string | null): unknown {
  const walk = (v: unknown, key: string): unknown => {
    if (typeof v === 'string')
      return (PATH_KEY.test(key) && isAbsolute(v)) || v.startsWith(`${root}${path.sep}`) ? publicPath(v, root, rel) : v;
    if (Array.isArray(v)) return v.map((x) => walk(x, key));
    if (v && typeof v === 'object')
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, walk(x, k)]));
    return v;
  };
  return walk(detail, '');
}
