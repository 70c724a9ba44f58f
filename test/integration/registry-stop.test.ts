// Stopping the registry (the controller's shutdown): a step still queued when stop() is called
// runs, but no deadline it sets outlives the stop to act on the PBX afterwards. A step that
// background work queues while stop() waits (a party's rules lookup ending) runs too.
import type { PolicyEngine } from '../../controller/src/policy/types';
import { decision, fixedEngine, openHarnessStore, startRegistry, until } from '../helpers/call-harness';
import { gateEntered, LoggingPort } from '../helpers/logging-port';

const ENGINE = fixedEngine({
  announced: decision({ record: 'from-ringing' }),
  record: decision({ consent: 'none', greeting: null }),
});
// The prompt is never reported finished (the port plays nothing): the gate's deadline decides.
const SESSION = { promptAllowanceMs: 30, deadlineMs: 30 };

const later = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('stopping the registry', () => {
  let h: Awaited<ReturnType<typeof openHarnessStore>>;
  beforeAll(async () => {
    h = await openHarnessStore();
  });
  afterAll(async () => {
    await h.dispose();
  });

  it("acts on a call's deadline while running (the control)", async () => {
    const port = new LoggingPort();
    const registry = startRegistry(port, h, { engine: ENGINE, session: SESSION });
    port.emit(gateEntered('announced'));
    await registry.settled();
    const before = port.log.length;
    await later(300);
    expect(port.log.length).toBeGreaterThan(before);
    await registry.stop();
  });

  it('sends the PBX nothing once stopped, though a step queued at the stop set a deadline', async () => {
    const port = new LoggingPort();
    const registry = startRegistry(port, h, { engine: ENGINE, session: SESSION });
    port.emit(gateEntered('announced'));
    await registry.stop(); // the call's first step is still queued: it runs during the stop
    expect(port.log).toContain('Play');
    const atStop = [...port.log];
    await later(300);
    expect(port.log).toEqual(atStop);
  });

  it('runs the step of a party lookup that ends while it stops', async () => {
    let asked = 0;
    let fail: (e: Error) => void = () => undefined;
    // The gate reads the rules; the answering party's lookup then waits until the test lets it fail.
    const policy = () => (): Promise<PolicyEngine> =>
      ++asked === 1 ? Promise.resolve(ENGINE) : new Promise((_, reject) => (fail = reject));
    const port = new LoggingPort();
    const registry = startRegistry(port, h, { policy });
    const ev = gateEntered('record');
    port.emit(ev);
    await until(() => registry.list().some((c) => c.pbxCallId === ev.callId && c.state === 'recording'));
    const answered = { type: 'PartyChanged', kind: 'answered', party: 'agent-leg', agent: '201' } as const;
    port.emit({ ...answered, callId: ev.callId, at: new Date() });
    await until(() => asked === 2, 5000, 'the party lookup');

    const stopped = registry.stop();
    await new Promise((r) => setImmediate(r));
    // No rules to read: the party is announced to, to be safe (party-lookup.ts).
    fail(new Error('rules gone'));
    await stopped;
    expect(port.log).toContain('Announce');
  });
});
