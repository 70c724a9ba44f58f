// The gate's log line for a call is written after its commands, not before: a log line costs
// ~35 us of the time the caller waits in the gate (issue 23). The lines and their order stay.
import { Writable } from 'node:stream';
import { decision, fixedEngine, until, writeWav } from '../helpers/call-harness';
import { startHarness, type Harness } from '../helpers/asterisk/gate-harness';
import { createLogger } from '../../controller/src/util/logger';

describe('the Asterisk gate log', () => {
  let h: Harness;
  const seen: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      const line = JSON.parse(chunk.toString()) as { message: string };
      seen.push(`log ${line.message}`);
      done();
    },
  });
  beforeAll(async () => {
    h = await startHarness({
      engine: {
        ...fixedEngine({ answer: decision({ consent: 'none', greeting: null }) }),
        // A policy that fails while deciding: the call falls back, its reason logged at once.
        decide: (f) => {
          if (f.applet === 'boom') throw new Error('no rule engine today');
          return decision({ consent: 'none', greeting: null });
        },
      },
      decisionInContinue: true,
      logger: createLogger({ level: 'info', format: 'json', stream }),
    });
    const execute = h.adapter.execute.bind(h.adapter);
    h.adapter.execute = (cmd) => {
      seen.push(`execute ${cmd.type}`);
      return execute(cmd);
    };
    // The continue of a call released as it enters (calls/gate-entry.ts).
    const releaseNow = h.adapter.releaseNow.bind(h.adapter);
    h.adapter.releaseNow = (cmd) => {
      seen.push('execute Continue');
      return releaseNow(cmd);
    };
  });
  afterAll(async () => {
    await h.close();
  });
  beforeEach(() => {
    seen.length = 0;
  });

  it('says the call entered the gate once its continue is sent, before its state changes', async () => {
    h.sim.onRecord = (_id, file) => writeWav(file, 1);
    const ch = h.sim.addChannel();
    h.sim.enterStasis(ch.id, ['gate', 'sales', 'answer', '', '', '', '', '2']);
    const stateChange = (s: string) => s.startsWith('log call ') && s !== 'log call entered the gate';
    await until(() => seen.some(stateChange) && seen.includes('log call entered the gate'));
    const entered = seen.indexOf('log call entered the gate');
    expect(seen.indexOf('execute Continue')).toBeGreaterThanOrEqual(0);
    expect(seen.indexOf('execute Continue')).toBeLessThan(entered);
    expect(seen.findIndex(stateChange)).toBeGreaterThan(entered);
    h.sim.hangup(ch.id);
    await h.registry.settled();
  });

  it.each([
    ['the policy failed (the arrival line still pending)', 'boom'],
    ['the gate has no applet (released at once)', ''],
  ])('says why a call falls back, after it entered: %s', async (_why, applet) => {
    const ch = h.sim.addChannel();
    h.sim.enterStasis(ch.id, ['gate', 'sales', applet, '', '', '', '', '2']);
    await until(() => seen.some((s) => s.startsWith('log gate falls back')));
    await new Promise((r) => setImmediate(r));
    const entered = seen.indexOf('log call entered the gate');
    expect(entered).toBeGreaterThanOrEqual(0);
    expect(entered).toBeLessThan(seen.findIndex((s) => s.startsWith('log gate falls back')));
    h.sim.hangup(ch.id);
    await h.registry.settled();
  });
});
