// Shutdown (CallRegistry.stop) waits for every call's work, including a step that background work
// queues while it waits: a party's rules lookup that ends during the stop still has its step run.
import { decision, fixedEngine, openHarnessStore, startRegistry, until } from '../helpers/call-harness';
import { gateEntered, LoggingPort } from '../helpers/logging-port';
import type { PolicyEngine } from '../../controller/src/policy/types';

const ENGINE = fixedEngine({ record: decision({ consent: 'none', greeting: null }) });

describe('stopping the registry', () => {
  let h: Awaited<ReturnType<typeof openHarnessStore>>;
  beforeAll(async () => {
    h = await openHarnessStore();
  });
  afterAll(async () => {
    await h.dispose();
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
