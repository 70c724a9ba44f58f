// Which recordings directory an install writes into the PBX's dialplan. Never one relative to
// where the admin happened to run the command: --recordings, else a configured directory, else
// the PBX's own spool. Each choice comes with the sentence that says where it came from.
import path from 'node:path';
import { FIELDS, type Config } from '../../config';
import { InstallError } from './plan';

export interface Chosen {
  dir: string;
  why: string;
}

/** The configured PBX-side directory, or null when it is only the cwd-relative default. */
function configuredDir(cfg: Config): string | null {
  const fallback = FIELDS.find((f) => f.path === 'recordingsDir')?.default;
  const defaultDir = typeof fallback === 'string' ? path.resolve(fallback) : null;
  return cfg.pbxRecordingsDir && cfg.pbxRecordingsDir !== defaultDir ? cfg.pbxRecordingsDir : null;
}

export function chooseRecordingsDir(cfg: Config, flag: string | undefined, spool: Chosen): Chosen {
  if (flag !== undefined) {
    if (!path.isAbsolute(flag)) throw new InstallError(`--recordings must be an absolute path, got ${flag}`);
    return { dir: flag, why: '--recordings' };
  }
  const configured = configuredDir(cfg);
  if (configured) return { dir: configured, why: 'CALLREC_PBX_RECORDINGS_DIR / CALLREC_RECORDINGS_DIR' };
  return { dir: spool.dir, why: `${spool.why}; --recordings or CALLREC_PBX_RECORDINGS_DIR changes it` };
}

/** What the admin must know after the install: who writes the directory and who reads it. */
export function recordingsNotes(cfg: Config, chosen: Chosen, pbxUser: string): string[] {
  const notes = [
    `recordings   ${chosen.dir} (${chosen.why})`,
    `             the ${pbxUser} user writes there; callrec's user must read and delete there (callrec doctor checks both)`,
  ];
  if (cfg.pbxRecordingsDir !== chosen.dir) {
    notes.push(
      `             set CALLREC_PBX_RECORDINGS_DIR=${chosen.dir} for the controller (and CALLREC_RECORDINGS_DIR to where callrec sees it)`,
    );
  }
  return notes;
}
