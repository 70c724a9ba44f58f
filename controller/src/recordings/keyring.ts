// Master keys: from a key file (one base64 key per line) or a secret (comma-separated). The first
// key wraps new data keys; the others only unwrap, so a rotation can re-wrap at its own pace.
// A key's id is derived from the key itself: nothing to keep in sync, and a wrong key cannot
// claim a right id.
import crypto from 'node:crypto';
import fs from 'node:fs';

export interface MasterKey {
  id: string;
  key: Buffer;
}

export const masterKeyId = (key: Buffer): string =>
  `mk-${crypto.createHash('sha256').update(key).digest('hex').slice(0, 16)}`;

export function parseMasterKeys(text: string, where: string): MasterKey[] {
  const out: MasterKey[] = [];
  text
    .split('\n')
    .filter((l) => !l.trim().startsWith('#'))
    .flatMap((l) => l.split(','))
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .forEach((l, i) => {
      const key = Buffer.from(l, 'base64');
      if (key.length !== 32 || !/^[A-Za-z0-9+/]+={0,2}$/.test(l))
        throw new Error(`${where}: key ${i + 1} must be 32 bytes in base64 (openssl rand -base64 32)`);
      out.push({ id: masterKeyId(key), key });
    });
  if (out.length === 0) throw new Error(`${where}: no master key`);
  return out;
}

export interface KeySource {
  keyFile: string;
  masterKey: string;
}

export class Keyring {
  private keys: MasterKey[];
  private seen: string;

  /** `stamp` tells when the source changed (a key file's mtime): a rotation is picked up without a restart. */
  constructor(
    private readonly load: () => MasterKey[],
    private readonly stamp: () => string = () => '',
  ) {
    this.seen = stamp();
    this.keys = load();
  }

  /** The key that wraps new data keys. */
  active(): MasterKey {
    try {
      const now = this.stamp();
      if (now !== this.seen) {
        this.keys = this.load();
        this.seen = now;
      }
    } catch {
      /* a key file being replaced: keep the keys we have */
    }
    return this.keys[0] as MasterKey;
  }

  /**
   * The key with this id. A miss reloads once: `callrec keys rotate-master` may have put a new
   * key in the file while this process runs, and rows it re-wrapped must stay readable.
   */
  get(id: string): MasterKey | null {
    const hit = this.keys.find((k) => k.id === id);
    if (hit) return hit;
    try {
      this.keys = this.load();
    } catch {
      return null;
    }
    return this.keys.find((k) => k.id === id) ?? null;
  }

  all(): MasterKey[] {
    return [...this.keys];
  }
}

/** The keyring the configuration names, or null when none is configured (encryption off). Throws on a bad key. */
export function keyringFrom(src: KeySource): Keyring | null {
  if (src.keyFile !== '') {
    const stamp = () => {
      const st = fs.statSync(src.keyFile);
      return `${st.mtimeMs}:${st.size}:${st.ino}`;
    };
    return new Keyring(() => parseMasterKeys(fs.readFileSync(src.keyFile, 'utf8'), src.keyFile), stamp);
  }
  if (src.masterKey !== '') return new Keyring(() => parseMasterKeys(src.masterKey, 'CALLREC_MASTER_KEY'));
  return null;
}

/** Writes a key file atomically, readable by its owner only. */
export function writeKeyFile(file: string, keys: readonly MasterKey[]): void {
  const tmp = `${file}.tmp`;
  fs.writeFileSync(
    tmp,
    `# callrec master keys: the first wraps new data keys, the others only unwrap\n${keys.map((k) => k.key.toString('base64')).join('\n')}\n`,
    { mode: 0o600 },
  );
  fs.renameSync(tmp, file);
}
