// The store writes a call's step may send after its PBX commands (step-commands.ts): when they
// start, and how a write that trails `continue` waits for the gate to empty (gate-traffic.ts).
import type { Command } from '../../controller/src/domain/commands';
import { CallWrites } from '../../controller/src/calls/call-writes';
import { PLAIN_RECORDER } from '../../controller/src/domain/recorder-spec';
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
async function order(
  cmds: Command[],
  quiet: () => Promise<void> = () => Promise.resolve(),
  pastGate = false,
): Promise<string[]> {
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
    pastGate,
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

  it('a call past the gate writes once the gate has settled, when nothing of its step waits for the write', async () => {
    const pause: Command = { ...base, type: 'PauseRecording', mode: 'silence', recorderId: null };
    expect(await order([pause, persist(true), timeline], undefined, true)).toEqual([
      'PauseRecording',
      'quiet',
      'write recording +1 timeline',
    ]);
    expect(await order([persist(true), timeline, timer], undefined, true)).toEqual([
      'quiet',
      'write recording +1 timeline',
      'SetTimer',
    ]);
  });

  it('a call past the gate still writes first when a PBX command of its step waits for the write', async () => {
    const resume: Command = {
      ...base,
      type: 'ResumeRecording',
      mode: 'silence',
      file: '/r/a.wav',
      recorder: PLAIN_RECORDER,
    };
    expect(await order([persist(true), resume], undefined, true)).toEqual(['write recording', 'ResumeRecording']);
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

  it('waits no longer than its cap under steady traffic, and forgets a waiter that reached it', async () => {
    const g = new GateTraffic<string>();
    g.enter('a');
    const t0 = Date.now();
    await g.quiet(30);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(25);
    expect(g.size).toBe(1);
    expect(g.waiting).toBe(0);
  });

  it('has settled only once no call entered for its settling time', async () => {
    const g = new GateTraffic<string>(60);
    g.enter('a');
    g.leave('a');
    const t0 = performance.now();
    await g.quiet(10_000);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(50);
  });

  it('waits again for a call that enters while it settles', async () => {
    const g = new GateTraffic<string>(80);
    g.enter('a');
    g.leave('a');
    let done = false;
    const q = g.quiet(10_000).then(() => {
      done = true;
    });
    await new Promise((r) => setTimeout(r, 30));
    const entered = performance.now();
    g.enter('b');
    await new Promise((r) => setTimeout(r, 60)); // past a's settling time: b is still in the gate
    expect(done).toBe(false);
    g.leave('b');
    await q;
    expect(performance.now() - entered).toBeGreaterThanOrEqual(75); // settled 80 ms after b entered
  });

  it('lets a call with an urgent step write at once, until that step has run', async () => {
    const g = new GateTraffic<string>(10_000);
    g.enter('x');
    g.leave('x'); // settles in 10 s
    const log: string[] = [];
    const waiting = g.quiet(10_000, 'a').then(() => log.push('a waited'));
    void g.quiet(30, 'b').then(() => log.push('b waited'));
    let release!: () => void;
    const step = g.urgent('a', () => new Promise<void>((r) => (release = r)));
    await waiting;
    expect(log).toEqual(['a waited']); // b still waits for the gate
    await g.quiet(10_000, 'a'); // a step of a queued before the urgent one: no wait
    const ran = step();
    release();
    await ran;
    const t0 = performance.now();
    await g.quiet(40, 'a'); // the urgent step has run: a waits again
    expect(performance.now() - t0).toBeGreaterThanOrEqual(35);
    expect(log).toEqual(['a waited', 'b waited']);
  });
});
