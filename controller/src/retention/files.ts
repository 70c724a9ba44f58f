// The only place retention touches the recordings volume. file_path is relative to the root; a
// path that would leave the root (absolute, `..`, or a directory link pointing out) is refused
// for that row, never followed, and only a regular file is ever unlinked (a link is not).
// Synchronous: these run in the file worker's thread (file-worker.ts), a batch per message, never
// on the controller's event loop (file-pool.ts).
import fs from 'node:fs';
import path from 'node:path';

/**
 * The file threads' nice value on Linux: a busy core goes to the calls and the database first
 * (docs/performance.md, "Tenth pass"), the unlinks take what is left.
 */
export const WORKER_NICE = 10;

export type FileOutcome = { kind: 'deleted'; bytes: number } | { kind: 'missing' } | { kind: 'error'; detail: string };

/** Where the row's file really is; bytes null when there is no such file. */
export type Located = { ok: true; abs: string; bytes: number | null } | { ok: false; detail: string };

/** One pass over a batch's files, as the file worker takes it: each path located, or removed. */
export type FileRequest =
  | { id: number; op: 'locate'; root: string; paths: string[] }
  | { id: number; op: 'remove'; root: string; paths: string[]; dryRun: boolean };

/** The pass's outcome per path, in order; `failed` when the pass itself threw. */
export type FileReply =
  { id: number; located: Located[] } | { id: number; removed: FileOutcome[] } | { id: number; failed: string };

/** Runs one request: a new real-path cache per pass. */
export function runFileRequest(m: FileRequest): FileReply {
  const cache: RealPaths = new Map();
  try {
    if (m.op === 'locate') return { id: m.id, located: m.paths.map((p) => locate(m.root, p, cache)) };
    return { id: m.id, removed: m.paths.map((p) => removeFile(m.root, p, m.dryRun, cache)) };
  } catch (e) {
    return { id: m.id, failed: (e as Error).message };
  }
}

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
 * A failed resolution is kept too (its error code), so each row of that directory reports it.
 */
export type RealPaths = Map<string, string | { failed: string }>;

function realpath(p: string, cache: RealPaths): string {
  let got = cache.get(p);
  if (got === undefined) {
    try {
      got = fs.realpathSync.native(p);
    } catch (e) {
      got = { failed: errno(e) };
    }
    cache.set(p, got);
  }
  if (typeof got !== 'string') throw Object.assign(new Error(got.failed), { code: got.failed });
  return got;
}

/**
 * The text check, then the same on real paths: the file's directory, every link resolved, must
 * be inside the real root (unlink and stat follow directory links; the text cannot tell). A root
 * that is not there is an error, not every file missing: an unmounted volume purges nothing.
 */
export function locate(root: string, filePath: string, cache: RealPaths = new Map()): Located {
  const text = resolveInRoot(root, filePath);
  if (!text.ok) return text;
  let realRoot: string;
  let realDir: string;
  try {
    realRoot = realpath(root, cache);
  } catch (e) {
    return { ok: false, detail: `the recordings root ${root} is not available (${errno(e)})` };
  }
  try {
    realDir = realpath(path.dirname(text.abs), cache);
  } catch (e) {
    if (errno(e) === 'ENOENT') return { ok: true, abs: text.abs, bytes: null };
    return { ok: false, detail: `${filePath}: ${errno(e)}` };
  }
  if (realDir !== realRoot && !realDir.startsWith(realRoot + path.sep)) {
    return { ok: false, detail: `file_path "${filePath}" escapes the recordings root (through a link)` };
  }
  const abs = path.join(realDir, path.basename(text.abs));
  try {
    const st = fs.lstatSync(abs);
    if (!st.isFile()) return { ok: false, detail: `${filePath} is not a regular file` };
    return { ok: true, abs, bytes: st.size };
  } catch (e) {
    if (errno(e) === 'ENOENT') return { ok: true, abs, bytes: null };
    return { ok: false, detail: `${filePath}: ${errno(e)}` };
  }
}

/** Deletes one recording's file (dryRun: only looks). A missing file is an outcome, not an error. */
export function removeFile(root: string, filePath: string, dryRun: boolean, cache: RealPaths = new Map()): FileOutcome {
  // Located again, not reused from before the claim: the directory may have changed since.
  const where = locate(root, filePath, cache);
  if (!where.ok) return { kind: 'error', detail: where.detail };
  if (where.bytes === null) return { kind: 'missing' };
  try {
    if (!dryRun) fs.unlinkSync(where.abs);
    return { kind: 'deleted', bytes: where.bytes };
  } catch (e) {
    if (errno(e) === 'ENOENT') return { kind: 'missing' };
    return { kind: 'error', detail: `${filePath}: ${errno(e)}` };
  }
}
