// `callrec keys rotate-master [--generate]`: re-wraps every recording's data key under the first
// master key. --generate first puts a new random key at the top of the key file (the old keys stay
// below it, to unwrap); once the report says none is still used, they can be removed.
import type { Config } from '../config';
import { keyringFrom, writeKeyFile } from '../recordings/keyring';
import { generateMasterKey, rewrapAll } from '../recordings/rotate';
import type { Store } from '../store';
import type { CliIo } from './io';

export async function rotateMaster(cfg: Config, store: Store, args: string[], io: CliIo): Promise<number> {
  const generate = args.includes('--generate');
  const unknown = args.filter((a) => a !== '--generate');
  if (unknown.length > 0) {
    io.err(
      `callrec keys rotate-master: unknown option "${unknown[0]}"; usage: callrec keys rotate-master [--generate]`,
    );
    return 2;
  }
  let keyring = keyringFrom(cfg.encryption);
  if (!keyring) {
    io.err('callrec keys rotate-master: no master key configured (CALLREC_MASTER_KEY_FILE or CALLREC_MASTER_KEY)');
    return 2;
  }
  if (generate) {
    if (cfg.encryption.keyFile === '') {
      io.err(
        'callrec keys rotate-master --generate: needs a key file (CALLREC_MASTER_KEY_FILE); with CALLREC_MASTER_KEY put the new key first yourself',
      );
      return 2;
    }
    const fresh = generateMasterKey();
    writeKeyFile(cfg.encryption.keyFile, [fresh, ...keyring.all()]);
    io.err(`new master key ${fresh.id} written to ${cfg.encryption.keyFile}`);
    keyring = keyringFrom(cfg.encryption);
    if (!keyring) return 1;
  }
  const r = await rewrapAll(store, keyring);
  for (const f of r.failed) io.err(`recording ${f.id}: ${f.detail}`);
  io.out(`re-wrapped ${r.rewrapped} data keys under ${r.masterKey}; ${r.failed.length} failed`);
  io.out(
    r.stillUsed.length === 0
      ? 'no recording needs another master key: the others can be removed'
      : `still used: ${r.stillUsed.join(', ')}`,
  );
  return r.failed.length === 0 ? 0 : 1;
}
