// The only place retention touches the recordings volume. file_path is relative to the root; a
// path that would leave the root (absolute, `..`) is refused for that row, never followed.
import fs from 'node:fs/promises';
import path from 'node:path';

export type FileOutcome =
  | { kind: 'deleted'; bytes: number }
  | { kind: 'missing' }
  | { kind: 'error'; detail: string };

export function resolveInRoot(root: string, filePath: string): { ok: true; abs: string } | { ok: false; detail: string } {
  if (filePath === '' || path.isAbsolute(filePath) || path.win32.isAbsolute(filePath)) {
    return { ok: false, detail: `file_path "${filePath}" is not relative to the recordings root` };
  }
  const base = path.resolve(root);
  const abs = path.resolve(base, filePath);
  if (filePath.split(/[\\/]/).includes('..') || !abs.startsWith(base + path.sep)) {
    return { ok: false, detail: `file_path "${filePath}" escapes the recordings root` };
  }
  return { ok: true, abs };
}

/** Deletes one recording's file (dryRun: only looks). A missing file is an outcome, not an error. */
export async function removeFile(root: string, filePath: string, dryRun: boolean): Promise<FileOutcome> {
  const where = resolveInRoot(root, filePath);
  if (!where.ok) return { kind: 'error', detail: where.detail };
  try {
    const st = await fs.stat(where.abs);
    if (!st.isFile()) return { kind: 'error', detail: `${filePath} is not a regular file` };
    if (!dryRun) await fs.unlink(where.abs);
    return { kind: 'deleted', bytes: st.size };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'missing' };
    return { kind: 'error', detail: `${filePath}: ${code ?? (e as Error).message}` };
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
