// The gate's shortest path (calls/release-now.ts): a call the loaded rules record with nothing to
// play is let go while its StasisStart is read, before any other work of the call; its rows follow.
// Anything else (a call not recorded, a prompt, rules not loaded, a PBX that cannot) takes the
// session's commands one by one, as before.
import type { PbxCommand } from '../../controller/src/domain/commands';
import type { GateFacts, PbxEvent } from '../../controller/src/domain/pbx-events';
import type { PbxError, PbxPort, PbxStatus } from '../../controller/src/pbx/port';
import { err, ok, type Result } from '../../controller/src/util/result';
import { decision, fixedEngine, openHarnessStore, startRegistry, until } from '../helpers/call-harness';

type SetDecision = Extract<PbxCommand, { type: 'SetDecision' }>;

/** A PBX port that logs what it is asked, in order; `quick: false` has no releaseNow. */
class LoggingPort implements PbxPort {
  readonly kind = 'asterisk' as const;
  readonly log: string[] = [];
  /** The answer to the one-request release (commands sent one by one always succeed). */
  releaseAnswer: Result<void, PbxError> = ok(undefined);
  private handler: ((e: PbxEvent) => void) | null = null;
  releaseNow?: (cmd: SetDecision) => Promise<Result<void, PbxError>> | null;

  constructor(quick = true) {
    if (quick)
      this.releaseNow = (cmd) => {
        this.log.push(`releaseNow ${cmd.record ? cmd.file : 'skip'}`);
        return Promise.resolve(this.releaseAnswer);
      };
  }

  async start(): Promise<void> {}
  status(): PbxStatus {
    return 'connected';
  }
  onEvent(h: (e: PbxEvent) => void): () => void {
    this.handler = h;
    return () => {
      this.handler = null;
    };
  }
  emit(e: PbxEvent): void {
    this.handler?.(e);
  }
  async execute(cmd: PbxCommand): Promise<Result<void, PbxError>> {
    this.log.push(cmd.type);
    return ok(undefined);
  }
  async stop(): Promise<void> {}
}

const ENGINE = fixedEngine({
  record: decision({ consent: 'none', greeting: null }),
  off: decision({ record: 'off', consent: 'none', greeting: null }),
  announced: decision({ record: 'from-ringing' }),
});

const facts = (applet: string): GateFacts => ({
  flow: 'sales',
  applet,
  direction: 'inbound',
  from: '+13105550100',
  to: '+12125550123',
  campaign: null,
  agent: null,
  language: null,
  answered: false,
});

let n = 0;
const gateEntered = (applet: string): Extract<PbxEvent, { type: 'GateEntered' }> => ({
  type: 'GateEntered',
  callId: `c${++n}`,
  at: new Date(),
  facts: facts(applet),
  problem: null,
  swept: false,
});

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
});
