// The store writes a call's step may send after its PBX commands (step-commands.ts): when they
// start, and how a write that trails `continue` waits for the gate to empty (gate-traffic.ts).
import type { Command } from '../../controller/src/domain/commands';
import { CallWrites } from '../../controller/src/calls/call-writes';
import { GateTraffic } from '../../controller/src/calls/gate-traffic';
import { runCommands } from '../../controller/src/calls/step-commands';
import type { SyncContext, TrackedCall } from '../../controller/src/calls/types';
import { silentLogger } from '../../controller/src/util/logger';

const base = { callId: 'c1' };
const persist = (recording: boolean): Command => ({ ...base, type: 'Persist', call: true, recording });
const play: Command = { ...base, type: 'Play', promptId: 'p1', sound: 'callrec/announce', language: null, early: true };
const timer: Command = { ...base, type: 'SetTimer', timer: 'gate', ms: 1000 };
const timeline: Command = { ...base, type: 'Timeline', event: 'decided', detail: {} };
const decision: Command = {
  ...base,
  type: 'SetDecision',
  record: true,
  file: '/r/a.wav',
  storedCallId: null,
} as Command;
const go: Command = { ...base, type: 'Continue' };

/** The order in which the step's PBX commands and its writes start. */
async function order(cmds: Command[], quiet: () => Promise<void> = () => Promise.resolve()): Promise<string[]> {
  const log: string[] = [];
  const writes = new CallWrites({} as SyncContext, null, silentLogger());
  jest.spyOn(writes, 'persist').mockImplementation(async (_t, _call, recording, tl) => {
    log.push(`write${recording ? ' recording' : ''}${tl.length ? ` +${tl.length} timeline` : ''}`);
  });
  await runCommands(
    writes,
    {} as TrackedCall,
    cmds,
    async (c) => {
      log.push(c.type);
      return null;
    },
    async () => {
      log.push('quiet');
      await quiet();
    },
  );
  return log;
}

describe('writes that trail a step’s PBX commands', () => {
  it('a prompt goes out before the call’s row is written, and the write ends the step', async () => {
    expect(await order([persist(false), timeline, play, timer])).toEqual(['Play', 'write +1 timeline', 'SetTimer']);
    expect(await order([persist(false), play])).toEqual(['Play', 'write']);
  });

  it('a prompt never answered does not hold the call’s row', async () => {
    const log: string[] = [];
    const writes = new CallWrites({} as SyncContext, null, silentLogger());
    jest.spyOn(writes, 'persist').mockImplementation(async () => {
      log.push('write');
    });
    const step = runCommands(
      writes,
      {} as TrackedCall,
      [persist(false), play],
      (c) => {
        log.push(c.type);
        return new Promise(() => undefined); // the switch never answers
      },
      () => Promise.resolve(),
    );
    void step;
    await new Promise((r) => setImmediate(r));
    expect(log).toEqual(['Play', 'write']);
  });

  it('a recorded call’s rows are written after `continue`, once the gate is quiet', async () => {
    expect(await order([persist(true), timeline, decision, go])).toEqual([
      'SetDecision',
      'Continue',
      'quiet',
      'write recording +1 timeline',
    ]);
  });

  it('a call let go unrecorded has its row written first', async () => {
    expect(await order([persist(false), timeline, decision, go])).toEqual([
      'write +1 timeline',
      'SetDecision',
      'Continue',
    ]);
  });

  it('a recorded step without `continue` writes before anything but a prompt', async () => {
    expect(await order([persist(true), decision])).toEqual(['write recording', 'SetDecision']);
  });
});

describe('GateTraffic', () => {
  it('is quiet at once when no call is in the gate', async () => {
    const g = new GateTraffic<string>();
    await expect(g.quiet(10_000)).resolves.toBeUndefined();
  });

  it('is quiet when the last call leaves the gate', async () => {
    const g = new GateTraffic<string>();
    g.enter('a');
    g.enter('b');
    let done = false;
    const q = g.quiet(10_000).then(() => {
      done = true;
    });
    g.leave('a');
    await Promise.resolve();
    expect(done).toBe(false);
    g.leave('a'); // twice: no effect
    g.leave('b');
    await q;
    expect(done).toBe(true);
    expect(g.size).toBe(0);
  });

  it('waits no longer than its cap under steady traffic', async () => {
    const g = new GateTraffic<string>();
    g.enter('a');
    const t0 = Date.now();
    await g.quiet(30);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(25);
    expect(g.size).toBe(1);
  });
});
