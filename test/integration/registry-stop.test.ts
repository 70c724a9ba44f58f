// Stopping the registry (the controller's shutdown): a step still queued when stop() is called
// runs, but no deadline it sets outlives the stop to act on the PBX afterwards.
import { decision, fixedEngine, openHarnessStore, startRegistry } from '../helpers/call-harness';
import { gateEntered, LoggingPort } from '../helpers/logging-port';

const ENGINE = fixedEngine({ announced: decision({ record: 'from-ringing' }) });
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
});
