// Which user a local PBX process runs as (from /proc), and whether that user may write a
// directory by its mode bits: so `callrec doctor` can say "asterisk cannot write there" before
// the first call fails to record.
import fs from 'node:fs';
import path from 'node:path';

export interface ProcessUser {
  pid: number;
  uid: number;
  gids: number[];
}

/** The first process named `name` (its comm), or null when none is visible here. */
export function processUser(name: string, proc = '/proc'): ProcessUser | null {
  let entries: string[];
  try {
    entries = fs.readdirSync(proc).filter((e) => /^\d+$/.test(e));
  } catch {
    return null;
  }
  for (const pid of entries) {
    let status: string;
    try {
      status = fs.readFileSync(path.join(proc, pid, 'status'), 'utf8');
    } catch {
      continue;
    }
    if (/^Name:\s*(\S+)/m.exec(status)?.[1] !== name) continue;
    const ids = (key: string) =>
      (new RegExp(`^${key}:[ \\t]*(.*)$`, 'm').exec(status)?.[1] ?? '').trim().split(/\s+/).filter(Boolean).map(Number);
    const uid = ids('Uid')[1] ?? ids('Uid')[0]; // effective uid
    if (uid === undefined) continue;
    return { pid: Number(pid), uid, gids: [...new Set([ids('Gid')[1] ?? -1, ...ids('Groups')])] };
  }
  return null;
}

/** Write and search permission on a directory for `who`, by its owner, group and mode (root always). */
export function canWriteDir(
  st: { uid: number; gid: number; mode: number },
  who: { uid: number; gids: number[] },
): boolean {
  if (who.uid === 0) return true;
  const bits = st.uid === who.uid ? 0o300 : who.gids.includes(st.gid) ? 0o030 : 0o003;
  return (st.mode & bits) === bits;
}
