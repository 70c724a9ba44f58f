// A recorder spec in MixMonitor's letters (app_mixmonitor): the only place callrec speaks them.
// b = keep audio only while bridged (record from answer; verified: no ringback in the file),
// B(N) = a beep every N s (func_periodic_hook: the first as the recorder starts, both parties hear
// it), D = interleaved stereo (caller and other party on separate channels).
import { beepProblem, type RecorderSpec } from '../../domain/recorder-spec';
import { err, ok, type Result } from '../../util/result';
import type { PbxError } from '../port';

export function mixMonitorOptions(r: RecorderSpec | null): Result<string, PbxError> {
  if (!r) return ok('');
  const problem = beepProblem(r);
  if (problem) return err({ kind: 'rejected', detail: problem });
  return ok(
    `${r.fromAnswer ? 'b' : ''}${r.beepEverySeconds !== null ? `B(${r.beepEverySeconds})` : ''}${r.stereo ? 'D' : ''}`,
  );
}
