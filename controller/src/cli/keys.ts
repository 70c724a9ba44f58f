// `callrec keys create|list|revoke`: API keys. The key is printed once at creation; only its hash
// is stored, so a lost key is revoked and replaced, never recovered.
import os from 'node:os';
import { redactUrl } from '../config';
import { printJson, takeJson } from './output';
import { generateApiKey, ROLES, type Role } from '../domain/api-keys';
import { createStore, openDb, type Store } from '../store';
import { createKey, revokeKey } from '../store/key-audit';
import { configOrReport, EXIT_CONFIG, type CliCommand, type CliIo } from './io';
import { rotateMaster } from './rotate-master';

/** The audit actor of a key change made on the command line: the operating-system user. */
const cliActor = (): string => {
  try {
    return `cli (${os.userInfo().username})`;
  } catch {
    return 'cli (unknown user)';
  }
};

const USAGE =
  'callrec keys create --role admin|supervisor|agent [--agent 201] [--name x] | list | revoke <id> | rotate-master [--generate]';

function options(args: string[], io: CliIo): Record<string, string> | null {
  const out: Record<string, string> = {};
  for (let i = 0; i < args.length; i += 2) {
    const flag = args[i] ?? '';
    const value = args[i + 1];
    if (!['--role', '--agent', '--name'].includes(flag) || value === undefined || value.startsWith('--')) {
      io.err(
        `callrec keys: ${value === undefined || value.startsWith('--') ? `${flag} needs a value` : `unknown option "${flag}"`}; usage: ${USAGE}`,
      );
      return null;
    }
    out[flag.slice(2)] = value;
  }
  return out;
}

async function create(store: Store, args: string[], io: CliIo): Promise<number> {
  const o = options(args, io);
  if (!o) return 2;
  const role = o.role as Role | undefined;
  if (!role || !ROLES.includes(role)) {
    io.err(`callrec keys create: --role must be one of ${ROLES.join(', ')}`);
    return 2;
  }
  const agent = o.agent?.trim() || null;
  if (role === 'agent' && !agent) {
    io.err('callrec keys create: an agent key needs --agent <agent id>, the one the PBX reports');
    return 2;
  }
  if (role !== 'agent' && agent) {
    io.err('callrec keys create: --agent applies to --role agent only');
    return 2;
  }
  const k = generateApiKey();
  // Names are unique: a default name already taken gets the new key's prefix.
  const wanted = (o.name ?? (agent ? `agent-${agent}` : role)).trim();
  if (wanted === '' || wanted.length > 100) {
    io.err('callrec keys create: --name must be 1 to 100 characters');
    return 2;
  }
  const holder = await store.keys.byName(wanted);
  if (holder && o.name !== undefined) {
    io.err(
      `callrec keys create: a key named "${holder.name}" already exists (key ${holder.id}); choose another --name`,
    );
    return 2;
  }
  const name = holder ? `${wanted}-${k.prefix}` : wanted;
  const rec = await createKey(store, { name, prefix: k.prefix, hash: k.hash, role, agent }, cliActor());
  io.out(k.key);
  io.err(
    `created key ${rec.id} "${name}" (${role}${agent ? ` ${agent}` : ''}), prefix ${k.prefix}; store it now, it is not shown again`,
  );
  return 0;
}

async function listJson(store: Store, io: CliIo): Promise<number> {
  printJson(io, { keys: (await store.keys.list()).map((k) => ({ ...k, active: !k.revokedAt })) });
  return 0;
}

async function list(store: Store, io: CliIo): Promise<number> {
  for (const k of await store.keys.list()) {
    io.out(
      [
        k.id,
        k.prefix,
        k.role,
        k.agent ?? '-',
        k.name,
        k.revokedAt ? `revoked ${k.revokedAt.toISOString()}` : 'active',
      ].join('\t'),
    );
  }
  return 0;
}

export const keys: CliCommand = {
  summary: 'create, list or revoke API keys; rotate the master key of encrypted recordings',
  usage: USAGE,
  async run(argv, io) {
    const { json, args } = takeJson(argv);
    const [action, ...rest] = args;
    if (!action || !['create', 'list', 'revoke', 'rotate-master'].includes(action)) {
      io.err(`usage: ${USAGE}`);
      return 2;
    }
    const cfg = configOrReport(io);
    if (!cfg) return EXIT_CONFIG;
    const db = openDb(cfg.db.url);
    try {
      const store = createStore(db);
      if (action === 'list' && json) return await listJson(store, io);
      if (action === 'create') return await create(store, rest, io);
      if (action === 'list') return await list(store, io);
      if (action === 'rotate-master') return await rotateMaster(cfg, store, rest, io);
      const id = Number(rest[0]);
      if (!/^\d+$/.test(rest[0] ?? '')) {
        io.err('callrec keys revoke: give the key id (see callrec keys list)');
        return 2;
      }
      if (!(await revokeKey(store, id, cliActor()))) {
        io.err(`callrec keys revoke: no active key ${id}`);
        return 1;
      }
      io.out(`revoked key ${id}`);
      return 0;
    } catch (e) {
      io.err(`callrec keys: ${redactUrl(cfg.db.url)}: ${(e as Error).message}`);
      return 1;
    } finally {
      await db.close();
    }
  },
};
