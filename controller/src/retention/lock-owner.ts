// Who holds the SQLite purge lock, written so a later run can tell whether the holder still lives:
// node:host:pid:random. MySQL needs none of this (its lock dies with the holder's connection).
import crypto from 'node:crypto';
import os from 'node:os';

export function lockOwner(node: string): string {
  return `${node}:${os.hostname()}:${process.pid}:${crypto.randomBytes(3).toString('hex')}`;
}

/**
 * True only for a holder on this host whose process is gone. Another host, or an owner written
 * in an older form, is left to the lock's expiry: its pid means nothing here.
 */
export function holderGone(owner: string): boolean {
  const parts = owner.split(':');
  if (parts.length < 4) return false;
  const pid = Number(parts[parts.length - 2]);
  if (parts[parts.length - 3] !== os.hostname() || !Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH'; // EPERM: alive, another user's
  }
}
