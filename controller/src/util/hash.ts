import { createHash } from 'node:crypto';
import fs from 'node:fs';

/** SHA-256 of a file, streamed (recordings can be large). */
export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    fs.createReadStream(file)
      .on('data', (d) => h.update(d))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}
