// The decision carried by `continue` itself: the channel leaves Stasis for an extension of
// callrec-gate that names it (dialplan/asterisk/extensions_callrec.conf), so the gate needs one
// request instead of setting variables first. `skip` does not record; `rec<b|a><D|M><beep>~
// <stamp>~<from>~<to>` records into <CALLREC_DIR>/<Y>/<M>/<D>/<stamp>-<from>-<to>-<UNIQUEID>.wav
// with MixMonitor options b, D and B(<beep>), exactly the file the controller planned.
import type { RecorderSpec } from '../../domain/recorder-spec';
import { beepProblem } from '../../domain/recorder-spec';

/** Asterisk keeps an extension in 80 bytes with its terminating NUL (AST_MAX_EXTENSION). */
export const MAX_EXTENSION = 79;

/** The gate contract a dialplan with the decision extensions names in its last Stasis argument. */
export const DIALPLAN_VERSION = '2';

export const SKIP_EXTENSION = 'skip';

export interface GateDecisionVars {
  record: boolean;
  file: string | null;
  recorder: RecorderSpec | null;
}

/**
 * The extension for this decision, or null when it cannot travel that way (a file outside the
 * planned scheme, a part too long for 80 bytes, a beep MixMonitor refuses): then the variables go
 * first, as before.
 */
export function decisionExtension(d: GateDecisionVars, channelId: string, pbxRoot: string): string | null {
  if (!d.record) return SKIP_EXTENSION;
  if (!d.file) return null;
  const r = d.recorder;
  if (r && beepProblem(r)) return null;
  // A prefix, not path.relative (which normalizes both paths per call): a file outside the root, or
  // named with `.` or `..` parts, fails the pattern below and takes the variables.
  const root = `${pbxRoot.replace(/\/+$/, '')}/`;
  if (!d.file.startsWith(root)) return null;
  const rel = d.file.slice(root.length);
  const m = /^(\d{4})\/(\d\d)\/(\d\d)\/(\d{14})-([0-9A-Za-z+._]+)-([0-9A-Za-z+._]+)-([^/]+)\.wav$/.exec(rel);
  if (!m || m[7] !== channelId || `${m[1]}${m[2]}${m[3]}` !== m[4]?.slice(0, 8)) return null;
  const flags = `${r?.fromAnswer ? 'b' : 'a'}${r?.stereo ? 'D' : 'M'}${r?.beepEverySeconds ?? 0}`;
  const ext = `rec${flags}~${m[4]}~${m[5]}~${m[6]}`;
  return ext.length <= MAX_EXTENSION ? ext : null;
}
