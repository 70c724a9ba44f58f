// Where a recording goes: <root>/<YYYY>/<MM>/<DD>/<YYYYMMDDhhmmss>-<from>-<to>-<callid>.wav (UTC).
import path from 'node:path';
import type { PlannedFile } from '../domain/session-types';

const clean = (s: string | null): string => (s ? s.replace(/[^0-9A-Za-z+._]/g, '').slice(0, 40) : '') || 'unknown';

export function planFile(
  startedAt: Date,
  from: string | null,
  to: string | null,
  callId: string,
  pbxRoot: string,
): PlannedFile {
  const iso = startedAt.toISOString();
  const [y, mo, d] = [iso.slice(0, 4), iso.slice(5, 7), iso.slice(8, 10)];
  const stamp = `${y}${mo}${d}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
  const relPath = path.posix.join(y, mo, d, `${stamp}-${clean(from)}-${clean(to)}-${clean(callId)}.wav`);
  return { relPath, pbxPath: path.posix.join(pbxRoot, relPath) };
}

/** A path the PBX reported, relative to the root when it is inside it (else kept absolute). */
export function relativeToRoot(pbxPath: string, pbxRoot: string): string {
  const rel = path.posix.relative(pbxRoot, pbxPath);
  return rel.startsWith('..') || path.posix.isAbsolute(rel) ? pbxPath : rel;
}

/** The file as callrec sees it. */
export function localPath(filePath: string, root: string): string {
  return path.isAbsolute(filePath) ? filePath : path.join(root, filePath);
}
