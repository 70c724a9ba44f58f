// The gate's shortest path (calls/gate-entry.ts): a call the loaded rules record with nothing to
// play is let go while its StasisStart is read, before any other work of the call; its rows follow.
// Anything else (a call not recorded, a prompt, rules not loaded, a PBX that cannot) takes the
// session's commands one by one, as before. A step that throws before the continue never leaves
// the call held (calls/gate-entry.ts).
import { PassThrough } from 'node:stream';
import { CallTimers } from '../../controller/src/calls/call-timers';
import { NO_METRICS, type CallMetrics } from '../../controller/src/calls/observers';
import { CallSession } from '../../controller/src/domain/call-session';
import type { PbxError } from '../../controller/src/pbx/port';
import { err, ok, type Result } from '../../controller/src/util/result';
import { createLogger } from '../../controller/src/util/logger';
import { decision, fixedEngine, openHarnessStore, startRegistry, until } from '../helpers/call-harness';
import { gateEntered, LoggingPort } from '../helpers/logging-port';

/** A decision the session cannot read (a bug, say): each read of its consent throws. */
const broken = Object.defineProperty(decision({ consent: 'none', greeting: null }), 'consent', {
  get: () => {
    throw new Error('consent unreadable');
  },
});

const ENGINE = fixedEngine({
  broken,
  record: decision({ consent: 'none', greeting: null }),
  off: decision({ record: 'off', consent: 'none', greeting: null }),
  announced: decision({ record: 'from-ringing' }),
});

/** CallMetrics that keep what they were told: how each call left the gate, and after how long. */
function gateMetrics() {
  const seen = { gated: [] as string[], latencies: 0 };
  const metrics: CallMetrics = {
    ...NO_METRICS,
    gated: (_pbx, outcome) => seen.gated.push(outcome),
    gateLatency: () => (seen.latencies += 1),
  };
  return { seen, metrics };
}

/** A logger that keeps its error lines, one JSON text each. */
function errorLines() {
  const lines: string[] = [];
  const stream = new PassThrough().on('data', (c: Buffer) => lines.push(...c.toString().trim().split('\n')));
  return { lines, logger: createLogger({ level: 'error', format: 'json', stream }) };
}

describe('the gate lets a recorded call go as it enters', () => {
  let h: Awaited<ReturnType<typeof openHarnessStore>>;
  beforeAll(async () => {
    h = await openHarnessStore();
  });
  afterAll(async () => {
    await h.dispose();
  });

  function start(port: LoggingPort, loaded = true) {
    return startRegistry(port, h, { engine: ENGINE, ...(loaded ? {} : { policy: () => async () => ENGINE }) });
  }

  it('writes the release before the entry returns, and its rows after it', async () => {
    const port = new LoggingPort();
    const registry = start(port);
    const ev = gateEntered('record');
    port.emit(ev);
    // Nothing awaited yet: the continue is on its way, the session's other commands are not.
    expect(port.log).toEqual([expect.stringMatching(new RegExp(`^releaseNow ${h.dir}/.*-${ev.callId}\\.wav$`))]);
    expect(await h.store.calls.findByPbxId('pbx1', ev.callId)).toBeNull();
    await registry.settled();
    // Watch, the decision and the continue were the release: none of them is sent again.
    expect(port.log).toHaveLength(1);
    const call = await h.store.calls.findByPbxId('pbx1', ev.callId);
    expect(call).not.toBeNull();
    expect((await h.store.recordings.forCall(call!.id))[0]?.state).toBe('pending');
    expect(registry.list().find((c) => c.pbxCallId === ev.callId)?.state).toBe('recording');
    await registry.stop();
  });

  it('writes the continue before the call is tracked or its session built', async () => {
    const port = new LoggingPort();
    const registry = start(port);
    const quick = port.releaseNow?.bind(port);
    const tracked: number[] = [];
    const built = jest.spyOn(CallSession.prototype, 'handle');
    port.releaseNow = (cmd) => {
      tracked.push(registry.pending());
      tracked.push(built.mock.calls.length);
      return quick ? quick(cmd) : null;
    };
    try {
      port.emit(gateEntered('record'));
      expect(tracked).toEqual([0, 0]);
      expect(registry.pending()).toBe(1);
      await registry.settled();
      expect(port.log).toHaveLength(1);
    } finally {
      built.mockRestore();
    }
    await registry.stop();
  });

  it('follows a call whose session fails after its continue went out with the decision', async () => {
    const port = new LoggingPort();
    const { lines, logger } = errorLines();
    const handle = CallSession.prototype.handle;
    const spy = jest.spyOn(CallSession.prototype, 'handle').mockImplementation(function (this: CallSession, e) {
      if (e.type === 'Decided') throw new Error('session bug');
      return handle.call(this, e);
    });
    try {
      const { seen, metrics } = gateMetrics();
      const registry = startRegistry(port, h, { engine: ENGINE, logger, metrics });
      const ev = gateEntered('record');
      port.emit(ev);
      await registry.settled();
      // No second, bare continue: the call left with its decision and records.
      expect(port.log).toEqual([expect.stringMatching(/^releaseNow /)]);
      // Counted once, as callrec failing on it, and its wait in the gate observed once.
      expect(seen).toEqual({ gated: ['fallback'], latencies: 1 });
      expect(lines).toEqual([
        expect.stringContaining('the call goes on with the decision its continue carried: session bug'),
      ]);
      const row = await h.store.calls.findByPbxId('pbx1', ev.callId);
      expect(row?.fallbackReason).toContain(
        'callrec failed on the call in the gate (session bug); it went on with its decision',
      );
      const trail = await h.store.events.forCall(Number(row?.id));
      expect(trail.find((t) => t.type === 'released')?.detail).toMatchObject({ record: 'record' });
      expect(registry.list()).toEqual([expect.objectContaining({ pbxCallId: ev.callId })]);
      port.emit({ type: 'CallGone', callId: ev.callId, at: new Date() });
      await registry.settled();
      expect(registry.list()).toEqual([]);
      expect((await h.store.calls.findByPbxId('pbx1', ev.callId))?.endedAt).not.toBeNull();
      await registry.stop();
    } finally {
      spy.mockRestore();
    }
  });

  it('lets a call go with its early continue when the step fails before that continue is answered', async () => {
    const port = new LoggingPort();
    let answer: (r: Result<void, PbxError>) => void = () => undefined;
    port.releaseNow = (cmd) => {
      port.log.push(`releaseNow ${cmd.file ?? 'skip'}`);
      return new Promise((r) => (answer = r));
    };
    const { lines, logger } = errorLines();
    const clear = jest.spyOn(CallTimers.prototype, 'clear').mockImplementationOnce(() => {
      throw new Error('timer bug');
    });
    try {
      const registry = startRegistry(port, h, { engine: ENGINE, logger });
      const ev = gateEntered('record');
      port.emit(ev);
      await until(() => lines.length > 0, 2000, 'the failure');
      answer(ok(undefined));
      await registry.settled();
      expect(port.log).toEqual([expect.stringMatching(/^releaseNow /)]);
      expect(lines).toEqual([
        expect.stringContaining('the call goes on with the decision its continue carried: timer bug'),
      ]);
      expect(registry.list()).toEqual([expect.objectContaining({ pbxCallId: ev.callId })]);
      port.emit({ type: 'CallGone', callId: ev.callId, at: new Date() });
      await registry.settled();
      expect(registry.list()).toEqual([]);
      await registry.stop();
    } finally {
      clear.mockRestore();
    }
  });

  it('reports a session whose release differs from the continue already written', async () => {
    const port = new LoggingPort();
    const { lines, logger } = errorLines();
    const handle = CallSession.prototype.handle;
    const spy = jest.spyOn(CallSession.prototype, 'handle').mockImplementation(function (this: CallSession, e) {
      const cmds = handle.call(this, e);
      if (e.type !== 'Decided') return cmds;
      const go = cmds.findIndex((c) => c.type === 'Continue');
      const play = { type: 'Play', callId: e.callId, promptId: 'p', sound: 's', language: 'en', early: true } as const;
      return [...cmds.slice(0, go), play, ...cmds.slice(go)];
    });
    try {
      const registry = startRegistry(port, h, { engine: ENGINE, logger });
      const ev = gateEntered('record');
      port.emit(ev);
      await registry.settled();
      expect(lines).toEqual([
        expect.stringContaining("differs from its session's release: the session asked for Play before its continue"),
      ]);
      // The call left the gate: nothing is played to it; it is followed as lost, with its row.
      expect(port.log).toEqual([expect.stringMatching(/^releaseNow /)]);
      expect((await h.store.calls.findByPbxId('pbx1', ev.callId))?.fallbackReason).toContain('differs');
      await registry.stop();
    } finally {
      spy.mockRestore();
    }
  });

  it('writes an unrecorded call’s row first, then sends its commands one by one', async () => {
    const port = new LoggingPort();
    const registry = start(port);
    const ev = gateEntered('off');
    port.emit(ev);
    expect(port.log).toEqual([]);
    await registry.settled();
    expect(port.log).toEqual(['Watch', 'SetDecision', 'Continue']);
    expect(await h.store.calls.findByPbxId('pbx1', ev.callId)).not.toBeNull();
    await registry.stop();
  });

  it('plays a prompt the usual way', async () => {
    const port = new LoggingPort();
    const registry = start(port);
    port.emit(gateEntered('announced'));
    await until(() => port.log.includes('Play'), 2000, 'the prompt');
    expect(port.log.some((l) => l.startsWith('releaseNow'))).toBe(false);
    await registry.stop();
  });

  it('waits for rules not yet loaded, and for a PBX without the one-request release', async () => {
    for (const [port, loaded] of [
      [new LoggingPort(), false],
      [new LoggingPort(false), true],
    ] as const) {
      const registry = start(port, loaded);
      port.emit(gateEntered('record'));
      expect(port.log).toEqual([]);
      await registry.settled();
      expect(port.log).toEqual(['Watch', 'SetDecision', 'Continue']);
      await registry.stop();
    }
  });

  it('hands a refused release back to the session, which tries the continue again', async () => {
    const port = new LoggingPort();
    port.releaseAnswer = err({ kind: 'disconnected', detail: 'connection reset' });
    const registry = start(port);
    const ev = gateEntered('record');
    port.emit(ev);
    await registry.settled();
    expect(port.log).toEqual([expect.stringMatching(/^releaseNow /), 'Continue']);
    expect(registry.list().find((c) => c.pbxCallId === ev.callId)?.state).toBe('recording');
    await registry.stop();
  });

  it('lets a call go to the dialplan’s fallback when its session fails on the decision, and follows it as lost there', async () => {
    for (const loaded of [true, false]) {
      const port = new LoggingPort();
      const { lines, logger } = errorLines();
      const { seen, metrics } = gateMetrics();
      const registry = startRegistry(port, h, {
        engine: ENGINE,
        logger,
        metrics,
        ...(loaded ? {} : { policy: () => async () => ENGINE }),
      });
      const ev = gateEntered('broken');
      port.emit(ev);
      await registry.settled();
      // A bare continue: no decision set, so the dialplan decides as it does without callrec.
      expect(port.log).toEqual(['Continue']);
      // Counted once, as the fallback, and its wait in the gate observed once.
      expect(seen).toEqual({ gated: ['fallback'], latencies: 1 });
      expect(lines).toEqual([
        expect.stringContaining("the call goes on to the dialplan's fallback: consent unreadable"),
      ]);
      // No step wrote its row before the failure: the row is written as the call is let go.
      const row = await h.store.calls.findByPbxId('pbx1', ev.callId);
      expect(row).toMatchObject({ flow: 'sales', applet: 'broken', consentOutcome: 'fallback', endedAt: null });
      expect(row?.fallbackReason).toContain('callrec failed on the call in the gate (consent unreadable)');
      expect(registry.list()).toEqual([expect.objectContaining({ pbxCallId: ev.callId, recordingId: null })]);
      // Its hangup settles it, with no more commands to the PBX.
      port.emit({ type: 'CallGone', callId: ev.callId, at: new Date() });
      await registry.settled();
      expect(port.log).toEqual(['Continue']);
      expect(registry.list()).toEqual([]);
      expect((await h.store.calls.findByPbxId('pbx1', ev.callId))?.endedAt).not.toBeNull();
      expect(lines).toHaveLength(1);
      await registry.stop();
    }
  });

  it('sends the commands one by one when the release at once throws', async () => {
    const port = new LoggingPort();
    port.releaseNow = () => {
      throw new Error('request could not be built');
    };
    const registry = start(port);
    const ev = gateEntered('record');
    port.emit(ev);
    await registry.settled();
    expect(port.log).toEqual(['Watch', 'SetDecision', 'Continue']);
    expect(registry.list().find((c) => c.pbxCallId === ev.callId)?.state).toBe('recording');
    await registry.stop();
  });

  it('lets a call go when its session fails while the caller hears the prompt', async () => {
    let fail = false;
    const flaky = Object.defineProperty(decision({ consent: 'announce' }), 'consent', {
      get: () => {
        if (fail) throw new Error('consent unreadable');
        return 'announce';
      },
    });
    const port = new LoggingPort();
    const { lines, logger } = errorLines();
    const registry = startRegistry(port, h, { engine: fixedEngine({ flaky }), logger });
    const ev = gateEntered('flaky');
    port.emit(ev);
    await until(() => port.log.includes('Play'), 2000, 'the prompt');
    await registry.settled();
    fail = true;
    const finished = { type: 'PromptFinished', callId: ev.callId, promptId: `callrec-${ev.callId}-1` } as const;
    port.emit({ ...finished, at: new Date() });
    // Queued behind the failed step: it reaches the session that follows the call, not the failed one.
    port.emit({ ...finished, at: new Date() });
    await registry.settled();
    expect(port.log.slice(-1)).toEqual(['Continue']);
    expect(port.log.filter((c) => c === 'Continue')).toHaveLength(1);
    expect(lines).toEqual([expect.stringContaining("the call goes on to the dialplan's fallback")]);
    // Its row was written with the prompt; it now says why the dialplan took over.
    const row = await h.store.calls.findByPbxId('pbx1', ev.callId);
    expect(row?.fallbackReason).toContain('callrec failed on the call in the gate (consent unreadable)');
    port.emit({ type: 'CallGone', callId: ev.callId, at: new Date() });
    await registry.settled();
    expect(registry.list()).toEqual([]);
    expect(port.log.filter((c) => c === 'Continue')).toHaveLength(1);
    await registry.stop();
  });

  it('lets a call go when its continue was refused and the session then fails', async () => {
    const port = new LoggingPort();
    port.releaseAnswer = err({ kind: 'disconnected', detail: 'connection reset' });
    const handle = CallSession.prototype.handle;
    const spy = jest.spyOn(CallSession.prototype, 'handle').mockImplementation(function (this: CallSession, ev) {
      if (ev.type === 'CommandFailed') throw new Error('session bug');
      return handle.call(this, ev);
    });
    try {
      const registry = start(port);
      port.emit(gateEntered('record'));
      await registry.settled();
      expect(port.log).toEqual([expect.stringMatching(/^releaseNow /), 'Continue']);
      await registry.stop();
    } finally {
      spy.mockRestore();
    }
  });

  it('keeps the decision and the answer on the row of a call let go during its prompt', async () => {
    const port = new LoggingPort();
    const registry = start(port);
    const ev = gateEntered('announced');
    port.emit(ev);
    await until(() => port.log.includes('Play'), 2000, 'the prompt');
    port.emit({ type: 'CallAnswered', callId: ev.callId, at: new Date() });
    await registry.settled();
    const handle = CallSession.prototype.handle;
    const spy = jest.spyOn(CallSession.prototype, 'handle').mockImplementation(function (this: CallSession, e) {
      if (e.type === 'PromptFinished') throw new Error('session bug');
      return handle.call(this, e);
    });
    try {
      port.emit({ type: 'PromptFinished', callId: ev.callId, at: new Date(), promptId: `callrec-${ev.callId}-1` });
      await registry.settled();
    } finally {
      spy.mockRestore();
    }
    expect(port.log.slice(-1)).toEqual(['Continue']);
    const row = await h.store.calls.findByPbxId('pbx1', ev.callId);
    expect(row).toMatchObject({ recordMode: 'from-ringing', consentOutcome: 'fallback' });
    expect(row?.consentMode).not.toBeNull();
    expect(row?.answeredAt).not.toBeNull();
    expect(row?.fallbackReason).toContain('callrec failed on the call in the gate (session bug)');
    const trail = await h.store.events.forCall(Number(row?.id));
    expect(trail.find((t) => t.type === 'released')?.detail).toMatchObject({ record: 'dialplan' });
    port.emit({ type: 'CallGone', callId: ev.callId, at: new Date() });
    await registry.settled();
    await registry.stop();
  });

  it('forgets a call whose continue the PBX refused after a failed step, so the sweep releases it', async () => {
    const port = new LoggingPort();
    const exec = port.execute.bind(port);
    let refuse = true;
    port.execute = (cmd) =>
      cmd.type === 'Continue' && refuse
        ? Promise.resolve(err({ kind: 'disconnected', detail: 'connection reset' }))
        : exec(cmd);
    const registry = start(port);
    const ev = gateEntered('broken');
    port.emit(ev);
    await registry.settled();
    expect(port.log).toEqual([]); // the refused continue is not logged by this port
    expect(registry.list()).toEqual([]);
    // Reconnected: the sweep finds the call still in the gate and releases it with what the row holds.
    refuse = false;
    port.emit({ ...ev, facts: gateEntered('off').facts, swept: true, at: new Date() });
    await registry.settled();
    expect(port.log).toContain('Continue');
    await registry.stop();
  });

  it('sends the continue even when the subscription rejects, and keeps the call', async () => {
    const port = new LoggingPort(false);
    const exec = port.execute.bind(port);
    port.execute = (cmd) => (cmd.type === 'Watch' ? Promise.reject(new Error('socket bug')) : exec(cmd));
    const registry = start(port);
    const ev = gateEntered('record');
    port.emit(ev);
    await registry.settled();
    expect(port.log).toEqual(['SetDecision', 'Continue']);
    expect(registry.list().find((c) => c.pbxCallId === ev.callId)?.state).toBe('recording');
    expect(await h.store.calls.findByPbxId('pbx1', ev.callId)).not.toBeNull();
    await registry.stop();
  });
});
