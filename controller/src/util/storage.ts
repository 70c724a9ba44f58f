import fs from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';

/** Proves a directory is writable by creating and removing a file in it. */
export async function checkWritable(dir: string): Promise<{ ok: boolean; detail: string }> {
  try {
    await fs.mkdir(dir, { recursive: true });
    const probe = path.join(dir, `.callrec-write-test-${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
    await fs.writeFile(probe, 'ok');
    await fs.unlink(probe);
    return { ok: true, detail: `${dir} is writable` };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    const why =
      code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : code === 'EROFS'
          ? 'read-only file system'
          : code === 'ENOTDIR'
            ? 'a path component is not a directory'
            : (e as Error).message;
    return { ok: false, detail: `${dir} is not writable: ${why}` };
  }
}
