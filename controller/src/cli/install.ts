// `callrec install <pbx>`: puts the shipped PBX-side files in place. One module per PBX under
// install/ (FreeSWITCH will come with its own issue).
import { ASTERISK_DEFAULTS, asteriskNextSteps, defaultRecordingsDir, planAsteriskInstall } from './install/asterisk';
import { applyPlan, InstallError, type FileChange } from './install/plan';
import { configOrReport, EXIT_CONFIG, type CliCommand, type CliIo } from './io';

const USAGE = 'callrec install asterisk [--etc /etc/asterisk] [--sounds /var/lib/asterisk/sounds] [--recordings <dir>] [--dry-run]';
const VALUE_FLAGS = ['--etc', '--sounds', '--recordings'] as const;

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
    if (typeof parsed === 'string' || parsed.target !== 'asterisk') {
      const why = typeof parsed === 'string' ? parsed
        : parsed.target === 'freeswitch' ? 'freeswitch is not supported yet' : `unknown PBX "${parsed.target ?? ''}"`;
      io.err(`callrec install: ${why}; usage: ${USAGE}`);
      return 2;
    }
    const cfg = configOrReport(io);
    if (!cfg) return EXIT_CONFIG;
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
