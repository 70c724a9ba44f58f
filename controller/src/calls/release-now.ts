// The gate's shortest path: a call the loaded rules record at once, with nothing to play. Its
// `continue` (carrying the decision) is written as the StasisStart is read, before the call is
// tracked or its session built (gate-entry.ts, gateAtEntry): the registry's bookkeeping, the
// session's step and the row's write all trail the continue (CallWrites.persistAt).
import type { Command, PbxCommand } from '../domain/commands';
import { sameRecorder } from '../domain/recorder-spec';
import type { PbxError } from '../pbx/port';
import type { Result } from '../util/result';
import type { CallWrites } from './call-writes';
import type { TrackedCall } from './types';

/** The answer to a release started at once: the continue's. */
export type Released = Promise<Result<void, PbxError>>;

/** What may come before a release's `continue` without holding it: local, or the write that trails it. */
const LOCAL_BEFORE = new Set<Command['type']>(['ClearTimer', 'Persist', 'Timeline', 'Watch', 'SetDecision']);

type SetDecision = Extract<PbxCommand, { type: 'SetDecision' }>;

/**
 * Why the session's commands are not the release already written (`sent`), or null when they are:
 * local commands, the decision sent, the continue, and only then anything else. A difference is a
 * bug (recordingRelease and onDecided disagree); the caller reports it.
 */
export function releaseMismatch(
  writes: CallWrites,
  t: TrackedCall,
  cmds: readonly Command[],
  sent: SetDecision,
): string | null {
  const at = cmds.findIndex((c) => c.type === 'Continue');
  if (at < 0) return 'the session did not let the call go';
  let decision: SetDecision | null = null;
  for (let i = 0; i < at; i++) {
    const c = cmds[i] as Command;
    if (!LOCAL_BEFORE.has(c.type)) return `the session asked for ${c.type} before its continue`;
    if (c.type === 'Persist' && !writes.persistAt(t, cmds, i).trails)
      return "the session's row must precede its continue";
    if (c.type === 'SetDecision') decision = c;
  }
  if (!decision) return 'the session let the call go without a decision';
  if (decision.record !== sent.record || decision.file !== sent.file) return 'the session decided otherwise';
  if (!sameRecorder(decision.recorder, sent.recorder)) return 'the session asked for another recorder';
  return null;
}

/**
 * How the call's step carries out its commands once the release is under way: `Watch` and
 * `SetDecision` were part of it, `Continue` is its answer; the rest run as usual.
 */
export function releasedExec(
  released: Released,
  exec: (c: Command) => Promise<PbxError | null>,
  answered: (c: PbxCommand, r: Result<void, PbxError>) => Promise<PbxError | null>,
): (c: Command) => Promise<PbxError | null> {
  return (c) => {
    if (c.type === 'Watch' || c.type === 'SetDecision') return Promise.resolve(null);
    if (c.type === 'Continue') return released.then((r) => answered(c, r));
    return exec(c);
  };
}
