// One session step's commands, carried out in order. A write that may trail the PBX commands
// after it (CallWrites.persistAt) starts once they are done (a prompt: once it is sent), or at the
// next command that is not a PBX command; after the call's `continue`, once the gate has settled
// (`quiet`). For a call already past the gate, a write that no PBX command of its step waits for
// trails too. Its work then stays off the gate's path of this call and of the calls beside it.
import { isPbxCommand, type Command } from '../domain/commands';
import type { SessionEvent } from '../domain/session-types';
import type { PbxError } from '../pbx/port';
import type { CallWrites } from './call-writes';
import type { TrackedCall } from './types';

export async function runCommands(
  writes: CallWrites,
  t: TrackedCall,
  cmds: readonly Command[],
  exec: (c: Command) => Promise<PbxError | null>,
  quiet: () => Promise<void>,
  pastGate = false,
): Promise<PbxError | null> {
  let failure: PbxError | null = null;
  let trailing: (() => Promise<void>) | null = null;
  let continued = false;
  const flush = async (): Promise<void> => {
    const start = trailing;
    trailing = null;
    if (!start) return;
    if (continued || pastGate) await quiet();
    await start();
  };
  for (let i = 0; i < cmds.length; i++) {
    const c = cmds[i] as Command;
    if (!isPbxCommand(c)) await flush();
    if (c.type === 'Persist') {
      const p = writes.persistAt(t, cmds, i);
      i = p.last;
      if (p.trails || (pastGate && !cmds.some((n, j) => j > i && isPbxCommand(n)))) trailing = p.start;
      else await p.start();
      continue;
    }
    // A prompt's answer is not waited for: the write starts once the prompt is on its way (a
    // switch that never answers must not keep the call's row from the store).
    const sent = exec(c);
    if (c.type === 'Play') await flush();
    failure ??= await sent;
    if (c.type === 'Continue') continued = true;
  }
  await flush();
  return failure;
}

/** The session's event for a command the PBX did not carry out. */
export function commandFailed(callId: string, command: Command['type'], e: PbxError): SessionEvent {
  return { type: 'CommandFailed', callId, at: new Date(), command, kind: e.kind, detail: e.detail };
}
