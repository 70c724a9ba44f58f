// `callrec install asterisk`: copies the gate dialplan, feature codes and prompts into an
// Asterisk box and wires them in with #include lines. Running it twice changes nothing.
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../../config/types';
import { VAR } from '../../pbx/asterisk/dialplan-vars';
import { ensureIncludeAtEnd, ensureIncludeInSection } from './conf-text';
import { InstallError, planFile, requireWritableDir, shippedRoot, type FileChange } from './plan';

export interface AsteriskInstallOptions {
  etc: string;
  sounds: string;
  /** Recordings root as Asterisk sees it (CALLREC_DIR, used by the dialplan fallback). */
  recordings: string;
}

export const ASTERISK_DEFAULTS = { etc: '/etc/asterisk', sounds: '/var/lib/asterisk/sounds' } as const;

const GLOBALS_FILE = 'callrec_globals.conf';
const EXTENSIONS_FILE = 'extensions_callrec.conf';
const FEATURES_FILE = 'features_callrec.conf';
const NOTE = 'callrec (added by `callrec install asterisk`)';

/** Asterisk's own spool: the asterisk user can write there on every packaged install. */
export const ASTERISK_SPOOL = '/var/spool/asterisk/callrec';

/** The dialplan globals the install writes from callrec's configuration (printed, not silent). */
export function asteriskGlobals(cfg: Config, recordings: string): Array<[string, string]> {
  return [
    ['CALLREC_APP', cfg.ari.app],
    [VAR.DIR, recordings],
    [VAR.FALLBACK, cfg.gate.fallback],
  ];
}

function globalsText(cfg: Config, recordings: string): string {
  return [
    `; ${NOTE}; rewritten at every install from callrec's configuration.`,
    `; Included inside [globals] of extensions.conf.`,
    ...asteriskGlobals(cfg, recordings).map(([k, v]) => `${k}=${v}`),
    '',
  ].join('\n');
}

/** Every file the install writes, with what changes; throws InstallError on a bad path. */
export function planAsteriskInstall(cfg: Config, opts: AsteriskInstallOptions): FileChange[] {
  requireWritableDir(opts.etc, 'Asterisk configuration directory', '--etc');
  requireWritableDir(opts.sounds, 'Asterisk sounds directory', '--sounds');
  const extensionsConf = path.join(opts.etc, 'extensions.conf');
  if (!fs.existsSync(extensionsConf)) {
    throw new InstallError(
      `${extensionsConf} does not exist: is ${opts.etc} Asterisk's configuration directory? (use --etc)`,
    );
  }
  if (!path.isAbsolute(opts.recordings))
    throw new InstallError(`--recordings must be an absolute path, got ${opts.recordings}`);
  const root = shippedRoot(path.join('dialplan', 'asterisk', EXTENSIONS_FILE));
  const shipped = (f: string) => fs.readFileSync(path.join(root, 'dialplan', 'asterisk', f));
  const featuresConf = path.join(opts.etc, 'features.conf');
  const features = fs.existsSync(featuresConf) ? fs.readFileSync(featuresConf, 'utf8') : '';

  let extensions = fs.readFileSync(extensionsConf, 'utf8');
  extensions = ensureIncludeInSection(extensions, 'globals', GLOBALS_FILE, NOTE);
  extensions = ensureIncludeAtEnd(extensions, EXTENSIONS_FILE, `${NOTE}: the callrec-gate subroutine`);
  return [
    planFile(path.join(opts.etc, EXTENSIONS_FILE), shipped(EXTENSIONS_FILE)),
    planFile(path.join(opts.etc, FEATURES_FILE), shipped(FEATURES_FILE)),
    planFile(path.join(opts.etc, GLOBALS_FILE), globalsText(cfg, opts.recordings)),
    planFile(extensionsConf, extensions),
    planFile(featuresConf, ensureIncludeAtEnd(features, FEATURES_FILE, `${NOTE}: feature codes *48 *49 *44`)),
    ...planSounds(path.join(root, 'sounds'), opts.sounds),
  ];
}

/** sounds/<lang>/callrec/*.wav -> <sounds>/<lang>/callrec/ (Asterisk's per-language layout). */
function planSounds(from: string, to: string): FileChange[] {
  const changes: FileChange[] = [];
  for (const lang of fs.readdirSync(from).sort()) {
    const dir = path.join(from, lang, 'callrec');
    if (!fs.existsSync(dir)) continue;
    for (const f of fs
      .readdirSync(dir)
      .filter((n) => n.endsWith('.wav'))
      .sort()) {
      changes.push(planFile(path.join(to, lang, 'callrec', f), fs.readFileSync(path.join(dir, f))));
    }
  }
  return changes;
}

export function asteriskNextSteps(opts: AsteriskInstallOptions): string[] {
  const samples = path.join(
    shippedRoot(path.join('dialplan', 'asterisk', EXTENSIONS_FILE)),
    'dialplan',
    'asterisk',
    'samples',
  );
  return [
    "next: asterisk -rx 'dialplan reload' && asterisk -rx 'module reload features'",
    'then add at each applet: same => n,Gosub(callrec-gate,s,1(<flow>,<applet>))',
    `ARI, AMI and HTTP users (loopback only) are in ${samples}: merge them into ${opts.etc}/{ari,manager,http}.conf`,
  ];
}
