// Walks the recordings root for audio files, never leaving it: symlinks are resolved and anything
// that points outside the root, or is not a regular file, is refused. Reads only metadata.
import fs from 'node:fs/promises';
import path from 'node:path';
import { isAudioFile } from '../domain/disk-names';

export interface DiskFile {
  relPath: string;
  absPath: string;
  sizeBytes: number;
  mtime: Date;
}
export interface ScanResult {
  files: DiskFile[];
  refused: string[];
}

export async function scanRecordings(root: string): Promise<ScanResult> {
  const real = await fs.realpath(root);
  const out: ScanResult = { files: [], refused: [] };
  await walk(real, real, out);
  out.files.sort((a, b) => a.relPath.localeCompare(b.relPath));
  return out;
}

function inside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

async function walk(root: string, dir: string, out: ScanResult): Promise<void> {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return; // vanished or unreadable: the next pass sees it again
  }
  for (const e of entries) {
    const abs = path.join(dir, e.name);
    if (e.isDirectory()) {
      await walk(root, abs, out);
      continue;
    }
    if (e.isSymbolicLink()) {
      // A link is never followed: its target inside the root is scanned under its own name.
      const target = await fs.realpath(abs).catch(() => null);
      if (target === null || !inside(root, target)) out.refused.push(path.relative(root, abs));
      continue;
    }
    if (!e.isFile() || !isAudioFile(e.name)) continue;
    const st = await fs.lstat(abs).catch(() => null);
    if (!st?.isFile()) continue;
    out.files.push({
      relPath: path.relative(root, abs).split(path.sep).join('/'),
      absPath: abs,
      sizeBytes: st.size,
      mtime: new Date(st.mtimeMs),
    });
  }
}

/**
 * Files some process holds open, from /proc/<pid>/fd (Linux; only processes we may read, so a PBX
 * running as another user shows nothing here and the quiet period alone protects its files).
 */
export async function openFiles(): Promise<Set<string>> {
  const open = new Set<string>();
  const pids = await fs.readdir('/proc').catch(() => [] as string[]);
  for (const pid of pids) {
    if (!/^\d+$/.test(pid)) continue;
    const fds = await fs.readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
    for (const fd of fds) {
      const target = await fs.readlink(`/proc/${pid}/fd/${fd}`).catch(() => null);
      if (target?.startsWith('/')) open.add(target);
    }
  }
  return open;
}
