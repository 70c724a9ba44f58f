// The only place retention touches the recordings volume. file_path is relative to the root; a
// path that would leave the root (absolute, `..`, or a directory link pointing out) is refused
// for that row, never followed, and only a regular file is ever unlinked (a link is not).
import fs from 'node:fs/promises';
import path from 'node:path';

export type FileOutcome = { kind: 'deleted'; bytes: number } | { kind: 'missing' } | { kind: 'error'; detail: string };

/** Where the row's file really is; bytes null when there is no such file. */
export type Located = { ok: true; abs: string; bytes: number | null } | { ok: false; detail: string };

function resolveInRoot(root: string, filePath: string): { ok: true; abs: string } | { ok: false; detail: string } {
  if (filePath === '' || filePath.includes('\0') || path.isAbsolute(filePath) || path.win32.isAbsolute(filePath)) {
    return { ok: false, detail: `file_path "${filePath}" is not relative to the recordings root` };
  }
  const base = path.resolve(root);
  const abs = path.resolve(base, filePath);
  if (filePath.split(/[\\/]/).includes('..') || !abs.startsWith(base + path.sep)) {
    return { ok: false, detail: `file_path "${filePath}" escapes the recordings root` };
  }
  return { ok: true, abs };
}

const errno = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

/**
 * Real paths resolved once per pass over a batch: the root and each directory are resolved the
 * first time a row asks (a batch's files share a handful of directories). A new cache per pass,
 * so the removal after the claim sees the directories as they are then, not before the claim.
 */
export type RealPaths = Map<string, Promise<string>>;

const realpath = (p: string, cache?: RealPaths): Promise<string> => {
  if (!cache) return fs.realpath(p);
  let got = cache.get(p);
  if (!got) {
    got = fs.realpath(p);
    got.catch(() => undefined); // each caller awaits it and handles the error itself
    cache.set(p, got);
  }
  return got;
};

/**
 * The text check, then the same on real paths: the file's directory, every link resolved, must
 * be inside the real root (unlink and stat follow directory links; the text cannot tell). A root
 * that is not there is an error, not every file missing: an unmounted volume purges nothing.
 */
export async function locate(root: string, filePath: string, cache?: RealPaths): Promise<Located> {
  const text = resolveInRoot(root, filePath);
  if (!text.ok) return text;
  let realRoot: string;
  let realDir: string;
  try {
    realRoot = await realpath(root, cache);
  } catch (e) {
    return { ok: false, detail: `the recordings root ${root} is not available (${errno(e)})` };
  }
  try {
    realDir = await realpath(path.dirname(text.abs), cache);
  } catch (e) {
    if (errno(e) === 'ENOENT') return { ok: true, abs: text.abs, bytes: null };
    return { ok: false, detail: `${filePath}: ${errno(e)}` };
  }
  if (realDir !== realRoot && !realDir.startsWith(realRoot + path.sep)) {
    return { ok: false, detail: `file_path "${filePath}" escapes the recordings root (through a link)` };
  }
  const abs = path.join(realDir, path.basename(text.abs));
  try {
    const st = await fs.lstat(abs);
    if (!st.isFile()) return { ok: false, detail: `${filePath} is not a regular file` };
    return { ok: true, abs, bytes: st.size };
  } catch (e) {
    if (errno(e) === 'ENOENT') return { ok: true, abs, bytes: null };
    return { ok: false, detail: `${filePath}: ${errno(e)}` };
  }
}

/** Deletes one recording's file (dryRun: only looks). A missing file is an outcome, not an error. */
export async function removeFile(
  root: string,
  filePath: string,
  dryRun: boolean,
  cache?: RealPaths,
): Promise<FileOutcome> {
  // Located again, not reused from before the claim: the directory may have changed since.
  const where = await locate(root, filePath, cache);
  if (!where.ok) return { kind: 'error', detail: where.detail };
  if (where.bytes === null) return { kind: 'missing' };
  try {
    if (!dryRun) await fs.unlink(where.abs);
    return { kind: 'deleted', bytes: where.bytes };
  } catch (e) {
    if (errno(e) === 'ENOENT') return { kind: 'missing' };
    return { kind: 'error', detail: `${filePath}: ${errno(e)}` };
  }
}

/** Runs fn over items with at most `width` in flight: unlinks overlap, the disk stays busy. */
export async function mapLimited<T, R>(items: readonly T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return out;
}
