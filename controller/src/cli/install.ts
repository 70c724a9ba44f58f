// `callrec install <pbx>`: puts the shipped PBX-side files in place. One module per PBX under
// install/ (FreeSWITCH will come with its own issue).
import {
  ASTERISK_DEFAULTS,
  ASTERISK_SPOOL,
  asteriskGlobals,
  asteriskNextSteps,
  planAsteriskInstall,
} from './install/asterisk';
import { chooseRecordingsDir, recordingsNotes } from './install/recordings';
import { applyPlan, InstallError, type FileChange } from './install/plan';
import { dialplanValues, installFreeswitch } from './install-freeswitch';
import { querySwitchDirs, type SwitchDirs } from '../pbx/freeswitch/switch-dirs';
import type { Config } from '../config';
import fs from 'node:fs';
import path from 'node:path';
import { configOrReport, EXIT_CONFIG, type CliCommand, type CliIo } from './io';

const USAGE =
  'callrec install asterisk [--etc /etc/asterisk] [--sounds /var/lib/asterisk/sounds] [--recordings <dir>] [--dry-run]\n' +
  '       callrec install freeswitch [--conf /usr/local/freeswitch/conf] [--sounds <freeswitch sounds dir>] [--recordings <dir>] [--dry-run]';
const VALUE_FLAGS = ['--etc', '--conf', '--sounds', '--recordings'] as const;
const FREESWITCH_CONF = '/usr/local/freeswitch/conf';

interface Parsed {
  target: string | undefined;
  values: Record<string, string>;
  dryRun: boolean;
}

function parseArgs(args: string[]): Parsed | string {
  const values: Record<string, string> = {};
  let target: string | undefined;
  let dryRun = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    const [flag, inline] =
      a.startsWith('--') && a.includes('=')
        ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]
        : [a, undefined];
    if (flag === '--dry-run') dryRun = true;
    else if ((VALUE_FLAGS as readonly string[]).includes(flag)) {
      const v = inline ?? args[++i];
      if (!v || v.startsWith('--')) return `${flag} needs a directory`;
      values[flag] = v;
    } else if (!a.startsWith('-') && target === undefined) target = a;
    else return `unexpected argument "${a}"`;
  }
  return { target, values, dryRun };
}

function report(io: CliIo, changes: FileChange[], dryRun: boolean): void {
  const verb = {
    create: dryRun ? 'would create' : 'created',
    update: dryRun ? 'would update' : 'updated',
    unchanged: 'unchanged',
  };
  for (const c of changes) io.out(`${verb[c.kind].padEnd(12)} ${c.path}`);
}

export const install: CliCommand = {
  summary: 'install the dialplan, feature codes and prompts on the PBX',
  usage: USAGE,
  async run(args, io) {
    const parsed = parseArgs(args);
    if (typeof parsed === 'string' || (parsed.target !== 'asterisk' && parsed.target !== 'freeswitch')) {
      const why = typeof parsed === 'string' ? parsed : `unknown PBX "${parsed.target ?? ''}"`;
      io.err(`callrec install: ${why}; usage: ${USAGE}`);
      return 2;
    }
    const cfg = configOrReport(io);
    if (!cfg) return EXIT_CONFIG;
    if (parsed.target === 'freeswitch') return await runFreeswitch(cfg, parsed, io);
    try {
      const recordings = chooseRecordingsDir(cfg, parsed.values['--recordings'], {
        dir: ASTERISK_SPOOL,
        why: "default: Asterisk's spool",
      });
      const opts = {
        etc: parsed.values['--etc'] ?? ASTERISK_DEFAULTS.etc,
        sounds: parsed.values['--sounds'] ?? ASTERISK_DEFAULTS.sounds,
        recordings: recordings.dir,
      };
      const changes = planAsteriskInstall(cfg, opts);
      report(io, changes, parsed.dryRun);
      for (const [k, v] of asteriskGlobals(cfg, opts.recordings)) io.out(`dialplan     ${k}=${v}`);
      for (const line of recordingsNotes(cfg, recordings, 'asterisk')) io.out(line);
      const todo = changes.filter((c) => c.kind !== 'unchanged').length;
      if (parsed.dryRun) {
        io.out(`dry run: ${todo} file(s) would change, nothing written`);
        return 0;
      }
      const { backups } = applyPlan(changes, new Date());
      for (const b of backups) io.out(`backup       ${b}`);
      io.out(todo ? `installed: ${todo} file(s) changed` : 'already installed: nothing changed');
      for (const line of asteriskNextSteps(opts)) io.out(line);
      return 0;
    } catch (e) {
      if (!(e instanceof InstallError)) throw e;
      io.err(`callrec install asterisk: ${e.message}`);
      return 1;
    }
  },
};

/** The package root: where sounds/ and dialplan/ ship (two levels above this file, in src or dist). */
function packageRoot(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
  }
  return process.cwd();
}

/** The sounds directory the prompts go to: the running switch's, and the one callrec plays from. */
function freeswitchSounds(cfg: Config, flag: string | undefined, live: SwitchDirs | null): string {
  const sounds = live?.soundsDir ?? flag ?? cfg.esl.soundsDir;
  const refuse = (what: string) =>
    new InstallError(
      `${what}; the prompts must be where the switch plays from and callrec points (set CALLREC_ESL_SOUNDS_DIR=${sounds})`,
    );
  if (flag !== undefined && flag !== sounds)
    throw refuse(`--sounds ${flag} is not the running switch's sounds_dir ${sounds}`);
  if (cfg.esl.soundsDir !== sounds)
    throw refuse(
      `CALLREC_ESL_SOUNDS_DIR is ${cfg.esl.soundsDir} but the prompts go to ${sounds}${live ? " (the switch's sounds_dir)" : ''}`,
    );
  return sounds;
}

async function runFreeswitch(cfg: Config, parsed: Parsed, io: CliIo): Promise<number> {
  const conf = parsed.values['--conf'] ?? FREESWITCH_CONF;
  try {
    const asked = await querySwitchDirs(cfg.esl);
    const live = asked.ok ? asked.value : null;
    io.out(
      live
        ? `switch       sounds_dir ${live.soundsDir}, recordings_dir ${live.recordingsDir} (global_getvar over ESL)`
        : `switch       did not answer (${asked.ok ? '' : asked.error}): using --sounds / CALLREC_ESL_SOUNDS_DIR and the conf path`,
    );
    const soundsDir = freeswitchSounds(cfg, parsed.values['--sounds'], live);
    const recordings = chooseRecordingsDir(
      cfg,
      parsed.values['--recordings'],
      live
        ? { dir: path.join(live.recordingsDir, 'callrec'), why: "default: the switch's recordings_dir" }
        : {
            dir: path.resolve(conf, '..', 'recordings', 'callrec'),
            why: 'default: <conf>/../recordings (the switch did not answer)',
          },
    );
    const opts = {
      conf,
      sounds: path.join(packageRoot(), 'sounds'),
      soundsDir,
      listenHost: cfg.esl.listenHost,
      listenPort: cfg.esl.listenPort,
      fallback: cfg.gate.fallback,
      recordingsDir: recordings.dir,
      language: cfg.defaults.language,
      dryRun: parsed.dryRun,
    };
    const steps = installFreeswitch(opts);
    for (const st of steps)
      io.out(
        `${(parsed.dryRun && st.action !== 'unchanged' ? `would be ${st.action}` : st.action).padEnd(12)} ${st.path}${st.backup ? ` (backup ${st.backup})` : ''}`,
      );
    for (const [k, v] of Object.entries(dialplanValues(opts, soundsDir))) io.out(`dialplan     ${k}=${v}`);
    for (const line of recordingsNotes(cfg, recordings, 'freeswitch')) io.out(line);
    const todo = steps.filter((st) => st.action !== 'unchanged').length;
    io.out(
      parsed.dryRun
        ? `dry run: ${todo} file(s) would change, nothing written`
        : todo
          ? `installed: ${todo} file(s) changed; run fs_cli -x reloadxml`
          : 'already installed: nothing changed',
    );
    // reloadxml re-reads the file but the event socket keeps its old listen-ip until the module reloads.
    if (steps.some((st) => st.path.endsWith('event_socket.conf.xml') && st.action !== 'unchanged')) {
      io.out(
        `${parsed.dryRun ? 'then' : 'next'}: fs_cli -x 'reload mod_event_socket' (re-binds the event socket; ESL clients reconnect)`,
      );
    }
    return 0;
  } catch (e) {
    io.err(`callrec install freeswitch: ${(e as Error).message}`);
    return 1;
  }
}
