// What an install does, computed before anything is written: so --dry-run shows exactly the
// writes, a bad path fails before the first one, and a second run finds nothing to change.
import fs from 'node:fs';
import path from 'node:path';

export interface FileChange {
  path: string;
  content: Buffer;
  /** "create": new file; "update": existing file edited (backed up first); "unchanged". */
  kind: 'create' | 'update' | 'unchanged';
}

export class InstallError extends Error {}

/** The change that makes `file` hold `content`. */
export function planFile(file: string, content: Buffer | string): FileChange {
  const data = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  if (!fs.existsSync(file)) return { path: file, content: data, kind: 'create' };
  return { path: file, content: data, kind: fs.readFileSync(file).equals(data) ? 'unchanged' : 'update' };
}

/** Fails with one clear sentence unless `dir` is an existing, writable directory. */
export function requireWritableDir(dir: string, what: string, flag: string): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch {
    throw new InstallError(`${what} ${dir} does not exist (point ${flag} at it)`);
  }
  if (!st.isDirectory()) throw new InstallError(`${what} ${dir} is not a directory (point ${flag} at it)`);
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch {
    throw new InstallError(
      `${what} ${dir} is not writable by this user (run as the owner of the Asterisk files, or root)`,
    );
  }
}

const stamp = (d: Date): string => d.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);

/** Applies the plan: backs up every file it edits (<file>.<UTC stamp>.bak), then writes. */
export function applyPlan(changes: FileChange[], now: Date): { written: string[]; backups: string[] } {
  const written: string[] = [];
  const backups: string[] = [];
  for (const c of changes) {
    if (c.kind === 'unchanged') continue;
    try {
      if (c.kind === 'update') {
        const bak = `${c.path}.${stamp(now)}.bak`;
        fs.copyFileSync(c.path, bak);
        backups.push(bak);
      }
      fs.mkdirSync(path.dirname(c.path), { recursive: true });
      fs.writeFileSync(c.path, c.content);
      written.push(c.path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
      throw new InstallError(
        `cannot write ${c.path} (${code}); already written: ${written.length ? written.join(', ') : 'nothing'}`,
      );
    }
  }
  return { written, backups };
}

/** The repository's shipped files (dialplan/, sounds/), found above this module in src or dist. */
export function shippedRoot(marker: string): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, marker))) return dir;
  }
  throw new InstallError(`shipped file ${marker} not found above ${__dirname}; is this a complete callrec checkout?`);
}
