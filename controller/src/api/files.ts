// Serving a recording's file safely, and HTTP Range parsing. Pure helpers over node:fs.
import fs from 'node:fs/promises';
import path from 'node:path';
import { extOf } from '../recordings/transcode';

export type FileProblem = 'outside-root' | 'missing' | 'not-a-file';
export type Resolved = { ok: true; path: string; size: number } | { ok: false; problem: FileProblem };

const within = (root: string, p: string): boolean =>
  p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep);

/**
 * The real path of a stored relative path, only when it stays inside the recordings root after
 * resolving `..` and every symlink. The path comes from the database row, never the request; the
 * check still runs because a row is data too (an import, a bad migration, a tampered table).
 */
export async function resolveInsideRoot(root: string, relative: string): Promise<Resolved> {
  if (relative === '' || relative.includes('\0') || path.isAbsolute(relative))
    return { ok: false, problem: 'outside-root' };
  let rootReal: string;
  try {
    rootReal = await fs.realpath(root);
  } catch {
    return { ok: false, problem: 'missing' };
  }
  const candidate = path.resolve(rootReal, relative);
  if (!within(rootReal, candidate)) return { ok: false, problem: 'outside-root' };
  let real: string;
  try {
    real = await fs.realpath(candidate);
  } catch {
    return { ok: false, problem: 'missing' };
  }
  if (!within(rootReal, real)) return { ok: false, problem: 'outside-root' };
  const st = await fs.stat(real);
  if (!st.isFile()) return { ok: false, problem: 'not-a-file' };
  return { ok: true, path: real, size: st.size };
}

export type RangeAnswer =
  { kind: 'full' } | { kind: 'partial'; start: number; end: number } | { kind: 'unsatisfiable' };

/**
 * One byte range of `bytes=a-b`, `bytes=a-` or `bytes=-n`. Several ranges are answered with the
 * whole file (200), which RFC 9110 allows and every audio player handles; a malformed or
 * unsatisfiable range is a 416.
 */
export function parseRange(header: string | undefined, size: number): RangeAnswer {
  if (header === undefined || header.trim() === '') return { kind: 'full' };
  const m = /^bytes=(.+)$/i.exec(header.trim());
  if (!m?.[1]) return { kind: 'unsatisfiable' };
  if (m[1].includes(',')) return { kind: 'full' };
  const r = /^\s*(\d*)-(\d*)\s*$/.exec(m[1]);
  if (!r || (r[1] === '' && r[2] === '') || size === 0) return { kind: 'unsatisfiable' };
  if (r[1] === '') {
    const n = Number(r[2]);
    return n > 0 ? { kind: 'partial', start: Math.max(0, size - n), end: size - 1 } : { kind: 'unsatisfiable' };
  }
  const start = Number(r[1]);
  const end = r[2] === '' ? size - 1 : Math.min(Number(r[2]), size - 1);
  return start < size && start <= end ? { kind: 'partial', start, end } : { kind: 'unsatisfiable' };
}

const stamp = (d: Date | null): string => (d ?? new Date(0)).toISOString().replace(/[-:T]/g, '').slice(0, 14);
const part = (s: string | null): string => (s ?? '').replace(/[^0-9A-Za-z+]/g, '') || 'unknown';

/** `YYYYMMDDhhmmss-from-to-id.wav` (UTC; .opus or .mp3 when transcoded), with only characters safe in any file system and header. */
export function downloadName(r: {
  id: number;
  startedAt: Date | null;
  fromNumber: string | null;
  toNumber: string | null;
  format?: string | null;
}): string {
  return `${stamp(r.startedAt)}-${part(r.fromNumber)}-${part(r.toNumber)}-${r.id}.${extOf(r.format)}`;
}
