// `callrec install <pbx>`: puts the shipped PBX-side files in place. One module per PBX under
// install/ (FreeSWITCH will come with its own issue).
import { ASTERISK_DEFAULTS, asteriskNextSteps, defaultRecordingsDir, planAsteriskInstall } from './install/asterisk';
import { applyPlan, InstallError, type FileChange } from './install/plan';
import { installFreeswitch } from './install-freeswitch';
import type { Config } from '../config';
import fs from 'node:fs';
import path from 'node:path';
import { configOrReport, EXIT_CONFIG, type CliCommand, type CliIo } from './io';

const USAGE = 'callrec install asterisk [--etc /etc/asterisk] [--sounds /var/lib/asterisk/sounds] [--recordings <dir>] [--dry-run]\n'
  + '       callrec install freeswitch [--conf /usr/local/freeswitch/conf] [--sounds <freeswitch sounds dir>] [--recordings <dir>] [--dry-run]';
const VALUE_FLAGS = ['--etc', '--conf', '--sounds', '--recordings'] as const;
const FREESWITCH_CONF = '/usr/local/freeswitch/conf';

interface Parsed { target: string | undefined; values: Record<string, string>; dryRun: boolean }

function parseArgs(args: string[]): Parsed | string {
  const values: Record<string, string> = {};
  let target: string | undefined;
  let dryRun = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
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
  const verb = { create: dryRun ? 'would create' : 'created', update: dryRun ? 'would update' : 'updated', unchanged: 'unchanged' };
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
    if (parsed.target === 'freeswitch') return runFreeswitch(cfg, parsed, io);
    const opts = {
      etc: parsed.values['--etc'] ?? ASTERISK_DEFAULTS.etc,
      sounds: parsed.values['--sounds'] ?? ASTERISK_DEFAULTS.sounds,
      recordings: parsed.values['--recordings'] ?? defaultRecordingsDir(cfg),
    };
    try {
      const changes = planAsteriskInstall(cfg, opts);
      report(io, changes, parsed.dryRun);
      const todo = changes.filter((c) => c.kind !== 'unchanged').length;
      if (parsed.dryRun) { io.out(`dry run: ${todo} file(s) would change, nothing written`); return 0; }
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

function runFreeswitch(cfg: Config, parsed: Parsed, io: CliIo): number {
  const conf = parsed.values['--conf'] ?? FREESWITCH_CONF;
  try {
    const steps = installFreeswitch({
      conf, sounds: path.join(packageRoot(), 'sounds'), soundsDir: parsed.values['--sounds'],
      listenPort: cfg.esl.listenPort, fallback: cfg.gate.fallback,
      recordingsDir: parsed.values['--recordings'] ?? cfg.pbxRecordingsDir, language: cfg.defaults.language, dryRun: parsed.dryRun,
    });
    for (const st of steps) io.out(`${(parsed.dryRun && st.action !== 'unchanged' ? `would be ${st.action}` : st.action).padEnd(12)} ${st.path}${st.backup ? ` (backup ${st.backup})` : ''}`);
    const todo = steps.filter((st) => st.action !== 'unchanged').length;
    io.out(parsed.dryRun ? `dry run: ${todo} file(s) would change, nothing written`
      : todo ? `installed: ${todo} file(s) changed; run fs_cli -x reloadxml` : 'already installed: nothing changed');
    return 0;
  } catch (e) {
    io.err(`callrec install freeswitch: ${(e as Error).message}`);
    return 1;
  }
}
