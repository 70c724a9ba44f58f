// The gate's shortest path: a call the loaded rules let go at once, recorded, with nothing to
// play. Its `continue` (carrying the decision) is written as the StasisStart is read, before the
// session's other commands run in the call's queue: the row's write trails the continue anyway
// (CallWrites.persistAt), and the registry's bookkeeping waits with it.
import type { Command, PbxCommand } from '../domain/commands';
import type { PbxError, PbxPort } from '../pbx/port';
import type { Result } from '../util/result';
import type { CallWrites } from './call-writes';
import type { TrackedCall } from './types';

/** The answer to a release started at once: the continue's. */
export type Released = Promise<Result<void, PbxError>>;

/** What may come before a release's `continue` without holding it: local, or the write that trails it. */
const LOCAL_BEFORE = new Set<Command['type']>(['ClearTimer', 'Persist', 'Timeline', 'Watch', 'SetDecision']);

/**
 * Starts the release `cmds` end with when they are just that (watch, decision, continue, the
 * rows written after it): the continue's answer, or null to run the commands one by one.
 */
export function releaseNow(
  port: PbxPort,
  writes: CallWrites,
  t: TrackedCall,
  cmds: readonly Command[],
): Released | null {
  if (!port.releaseNow) return null;
  const at = cmds.findIndex((c) => c.type === 'Continue');
  if (at < 0) return null;
  let decision: Extract<PbxCommand, { type: 'SetDecision' }> | null = null;
  for (let i = 0; i < at; i++) {
    const c = cmds[i] as Command;
    if (!LOCAL_BEFORE.has(c.type)) return null;
    if (c.type === 'Persist' && !writes.persistAt(t, cmds, i).trails) return null;
    if (c.type === 'SetDecision') decision = c;
  }
  return decision ? port.releaseNow({ ...decision, storedCallId: t.callRowId }) : null;
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
