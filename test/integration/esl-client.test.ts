import { EslInbound } from '../../controller/src/pbx/freeswitch/esl/inbound';
import { EslSession, type EslEvent } from '../../controller/src/pbx/freeswitch/esl/session';
import { silentLogger } from '../../controller/src/util/logger';
import { startEslSim, type EslSim } from '../helpers/freeswitch/esl-sim';
import { fsEventLines } from '../helpers/freeswitch/traces';

const logger = silentLogger();
const until = async (cond: () => boolean, ms = 3000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('ESL client over the simulator', () => {
  let sim: EslSim;
  beforeEach(async () => {
    sim = await startEslSim({ slow: { 'api sleep': 300 } });
  });
  afterEach(async () => {
    await sim.close();
  });

  const connect = async (password = 'ClueCon') =>
    EslSession.connect({ host: '127.0.0.1', port: sim.port, password, logger, commandTimeoutMs: 300 });

  it('returns the switch replies of uuid_record exactly as recorded, errors included', async () => {
    const s = await connect();
    if (!s.ok) throw new Error(s.error.detail);
    const uuid = '30a4f971-e58d-4146-994a-f74d1e46669d';
    await expect(s.value.api(`uuid_record ${uuid} start /tmp/rec/main-${uuid}.wav`)).resolves.toEqual({
      ok: true,
      value: '+OK Success\n',
    });
    await expect(s.value.api('uuid_record 00000000-0000-0000-0000-000000000000 start /tmp/rec/x.wav')).resolves.toEqual(
      { ok: true, value: '-ERR Cannot locate session!\n' },
    );
    s.value.close();
  });

  it('rejects a wrong password with a clear reason', async () => {
    const s = await connect('nope');
    expect(s).toEqual({ ok: false, error: { kind: 'rejected', detail: 'password rejected' } });
  });

  it('times out a slow command, and the replies after it are still matched to their commands', async () => {
    const s = await connect();
    if (!s.ok) throw new Error(s.error.detail);
    const r = await s.value.api('sleep 5000', 100);
    expect(r).toEqual({ ok: false, error: { kind: 'timeout', detail: 'api sleep: no reply within 100 ms' } });
    await expect(s.value.api('status', 1000)).resolves.toEqual({ ok: true, value: 'UP 0 years, 0 days\n' });
    s.value.close();
  });

  it('fails pending and later commands as disconnected when the link drops', async () => {
    const s = await connect();
    if (!s.ok) throw new Error(s.error.detail);
    const pending = s.value.api('sleep 1', 2000);
    await until(() => sim.commands.includes('api sleep 1'));
    sim.dropClients();
    await expect(pending).resolves.toMatchObject({ ok: false, error: { kind: 'disconnected' } });
    await expect(s.value.api('status')).resolves.toMatchObject({ ok: false, error: { kind: 'disconnected' } });
  });

  it('never reaches an unreachable switch but settles', async () => {
    await sim.close();
    const s = await connect();
    expect(s).toMatchObject({ ok: false, error: { kind: 'disconnected' } });
  });
});

describe('EslInbound: the watching connection', () => {
  let sim: EslSim;
  let inbound: EslInbound;
  let ac: AbortController;
  const seen: EslEvent[] = [];
  let connects = 0;

  beforeEach(async () => {
    sim = await startEslSim();
    seen.length = 0;
    connects = 0;
    ac = new AbortController();
    inbound = new EslInbound({
      host: '127.0.0.1',
      port: sim.port,
      password: 'ClueCon',
      logger,
      backoffBaseMs: 20,
      backoffCapMs: 50,
      events: ['CHANNEL_ANSWER', 'CHANNEL_HANGUP', 'CHANNEL_DESTROY', 'DTMF', 'RECORD_START', 'RECORD_STOP'],
      subclasses: ['callrec::feature'],
      onConnected: () => {
        connects++;
      },
    });
    inbound.onEvent((e) => seen.push(e));
    inbound.start(ac.signal);
    await until(() => connects === 1);
  });
  afterEach(async () => {
    ac.abort();
    await inbound.stop();
    await sim.close();
  });

  it('subscribes with named events, CUSTOM last, and never myevents', async () => {
    // modesl adds its own `event json BACKGROUND_JOB CHANNEL_EXECUTE_COMPLETE` after auth: the
    // completions of every app of every call are dropped again, after the subscription.
    await until(() => sim.commands.includes('nixevent CHANNEL_EXECUTE_COMPLETE'));
    const i = sim.commands.indexOf(
      'event json CHANNEL_ANSWER CHANNEL_HANGUP CHANNEL_DESTROY DTMF RECORD_START RECORD_STOP CUSTOM callrec::feature',
    );
    expect(i).toBeGreaterThan(sim.commands.indexOf('event json BACKGROUND_JOB CHANNEL_EXECUTE_COMPLETE'));
    expect(sim.commands.indexOf('nixevent CHANNEL_EXECUTE_COMPLETE')).toBeGreaterThan(i);
    expect(sim.commands.some((c) => c.startsWith('myevents'))).toBe(false);
  });

  it('receives only what it subscribed to, in Event-Sequence order', async () => {
    const lines = fsEventLines('record-session-dialplan.events.jsonl');
    sim.emit(lines);
    await until(() => seen.some((e) => e.name === 'CHANNEL_DESTROY' && e.seq === 592));
    await new Promise((r) => setTimeout(r, 20));
    const seqs = seen.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seen.map((e) => e.name))).toEqual(
      new Set(['CHANNEL_ANSWER', 'RECORD_START', 'CHANNEL_HANGUP', 'RECORD_STOP', 'CHANNEL_DESTROY']),
    );
    expect(seen.find((e) => e.name === 'RECORD_STOP')?.headers.variable_record_ms).toBe('7580');
  });

  it('reconnects after the switch drops it and subscribes again', async () => {
    sim.dropClients();
    await until(() => connects === 2);
    expect(inbound.status()).toBe('connected');
    expect(sim.commands.filter((c) => c.startsWith('event json CHANNEL_ANSWER'))).toHaveLength(2);
    await expect(inbound.api('status')).resolves.toMatchObject({ ok: true });
  });
});
