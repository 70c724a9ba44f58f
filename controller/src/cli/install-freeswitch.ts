// `callrec install freeswitch`: puts the callrec dialplan and sounds into an existing FreeSWITCH,
// idempotently (a second run changes nothing), keeping a timestamped backup of any file it edits.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Fallback } from '../domain/vocabulary';

export interface InstallFreeswitchOptions {
  /** FreeSWITCH conf directory (/usr/local/freeswitch/conf or /etc/freeswitch). */
  conf: string;
  /** callrec's sounds: <sounds>/<lang>/callrec/*.wav. */
  sounds: string;
  /** FreeSWITCH sounds directory the WAVs go to (default <conf>/../sounds). */
  soundsDir?: string;
  /** The repo's dialplan/freeswitch (templates). */
  dialplanDir?: string;
  /** Where the controller's outbound socket listens (CALLREC_ESL_LISTEN_HOST); the switch connects there. */
  listenHost: string;
  listenPort: number;
  fallback: Fallback;
  recordingsDir: string;
  language: string;
  dryRun?: boolean;
  now?: Date;
}

export type InstallAction = 'created' | 'updated' | 'unchanged';
export interface InstallStep {
  path: string;
  action: InstallAction;
  backup: string | null;
  why: string;
}

export const MARKER = 'Installed by callrec; edit the template in dialplan/freeswitch/, not this copy.';

function findDialplanDir(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'dialplan', 'freeswitch');
    if (fs.existsSync(path.join(candidate, 'callrec.xml'))) return candidate;
  }
  throw new Error('dialplan/freeswitch not found next to callrec');
}

const stamp = (d: Date): string => d.toISOString().replace(/[-:T]/g, '').slice(0, 14);

/** Writes `content` to `file` unless it is already there; backs up what it replaces. */
function place(file: string, content: Buffer, why: string, opts: InstallFreeswitchOptions): InstallStep {
  const exists = fs.existsSync(file);
  if (exists && fs.readFileSync(file).equals(content)) return { path: file, action: 'unchanged', backup: null, why };
  const backup = exists ? `${file}.callrec-backup-${stamp(opts.now ?? new Date())}` : null;
  if (!opts.dryRun) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    if (backup) fs.copyFileSync(file, backup);
    const tmp = `${file}.callrec-${crypto.randomBytes(4).toString('hex')}`;
    fs.writeFileSync(tmp, content);
    fs.renameSync(tmp, file);
  }
  return { path: file, action: exists ? 'updated' : 'created', backup, why };
}

/** The values the install writes into callrec.xml from callrec's configuration (printed by the CLI). */
export function dialplanValues(opts: InstallFreeswitchOptions, soundsDir: string): Record<string, string> {
  return {
    LISTEN_HOST: opts.listenHost,
    PORT: String(opts.listenPort),
    FALLBACK: opts.fallback,
    RECORDINGS_DIR: opts.recordingsDir,
    LANGUAGE: opts.language,
    SOUNDS_DIR: soundsDir,
  };
}

export function renderDialplan(template: string, opts: InstallFreeswitchOptions, soundsDir: string): string {
  const values: Record<string, string> = { MARKER, ...dialplanValues(opts, soundsDir) };
  return template.replace(/@@([A-Z_]+)@@/g, (m, key: string) => values[key] ?? m);
}

/** Moves an event socket listening beyond loopback to 127.0.0.1; never touches the password. */
function bindEventSocketToLoopback(opts: InstallFreeswitchOptions, samples: string): InstallStep {
  const file = path.join(opts.conf, 'autoload_configs', 'event_socket.conf.xml');
  if (!fs.existsSync(file))
    return place(
      file,
      fs.readFileSync(path.join(samples, 'event_socket.conf.xml')),
      'event socket on 127.0.0.1 (sample; set its password)',
      opts,
    );
  const text = fs.readFileSync(file, 'utf8');
  const fixed = text.replace(
    /(<param\s+name="listen-ip"\s+value=")([^"]*)(")/,
    (_m, a: string, ip: string, b: string) =>
      ip === '127.0.0.1' || ip === '::1' ? `${a}${ip}${b}` : `${a}127.0.0.1${b}`,
  );
  return place(file, Buffer.from(fixed), 'event socket bound to 127.0.0.1', opts);
}

function copySounds(opts: InstallFreeswitchOptions, soundsDir: string): InstallStep[] {
  if (!fs.existsSync(opts.sounds)) throw new Error(`sounds directory ${opts.sounds} does not exist`);
  const steps: InstallStep[] = [];
  for (const lang of fs.readdirSync(opts.sounds).sort()) {
    const from = path.join(opts.sounds, lang, 'callrec');
    if (!fs.existsSync(from)) continue;
    for (const name of fs
      .readdirSync(from)
      .filter((n) => n.endsWith('.wav'))
      .sort()) {
      steps.push(
        place(
          path.join(soundsDir, lang, 'callrec', name),
          fs.readFileSync(path.join(from, name)),
          `prompt ${lang}/${name}`,
          opts,
        ),
      );
    }
  }
  if (steps.length === 0) throw new Error(`no <lang>/callrec/*.wav under ${opts.sounds}`);
  return steps;
}

export function installFreeswitch(opts: InstallFreeswitchOptions): InstallStep[] {
  if (!fs.existsSync(path.join(opts.conf, 'freeswitch.xml'))) {
    throw new Error(`${opts.conf} is not a FreeSWITCH conf directory (no freeswitch.xml); pass --conf`);
  }
  const samples = opts.dialplanDir ?? findDialplanDir();
  const soundsDir = opts.soundsDir ?? path.resolve(opts.conf, '..', 'sounds');
  const dialplan = renderDialplan(fs.readFileSync(path.join(samples, 'callrec.xml'), 'utf8'), opts, soundsDir);
  return [
    place(
      path.join(opts.conf, 'dialplan', 'callrec.xml'),
      Buffer.from(dialplan),
      'gate, fallback and feature codes (context callrec)',
      opts,
    ),
    bindEventSocketToLoopback(opts, samples),
    ...copySounds(opts, soundsDir),
  ];
}
