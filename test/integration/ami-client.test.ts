import { AmiClient, AmiMixMonitorControl, type AmiEvent } from '../../controller/src/pbx/asterisk/ami';
import type { PbxStatus } from '../../controller/src/pbx/port';
import { silentLogger } from '../../controller/src/util/logger';
import { AmiSim } from '../helpers/asterisk/ami-sim';

const CHANNEL = 'Local/100@hp-mm-00000a4b;2';

function waitFor<T>(check: () => T | undefined | false, ms = 3000): Promise<T> {
  const until = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = () => {
      const v = check();
      if (v) return resolve(v);
      if (Date.now() > until) return reject(new Error('condition not met in time'));
      setTimeout(tick, 5);
    };
    tick();
  });
}

describe('AmiClient against the AMI simulator', () => {
  let sim: AmiSim;
  let client: AmiClient;
  let events: AmiEvent[];
  let statuses: PbxStatus[];

  async function connect(
    simOpts: ConstructorParameters<typeof AmiSim>[0],
    secret = 'callrec',
    timeoutMs = 3000,
  ): Promise<void> {
    // Generous by default: the box is shared and a reply split in 9-byte writes can take a while.
    sim = new AmiSim(simOpts);
    await sim.listen();
    client = new AmiClient({
      host: '127.0.0.1',
      port: sim.port,
      user: 'callrec',
      secret,
      logger: silentLogger(),
      actionTimeoutMs: timeoutMs,
      backoffBaseMs: 20,
      backoffCapMs: 100,
    });
    events = [];
    statuses = [];
    client.onEvent((e) => events.push(e));
    client.onStatus((s) => statuses.push(s));
    client.start();
    if (secret === 'callrec') await waitFor(() => client.status() === 'connected');
  }

  afterEach(async () => {
    await client.stop();
    await sim.close();
  });

  it('logs in with the event classes it needs and mutes, then unmutes, with the q6 wire', async () => {
    await connect({ trace: 'q6-mixmonitor-mute-both' });
    const mm = new AmiMixMonitorControl(client);
    expect(await mm.mute(CHANNEL, true)).toEqual({ ok: true, value: undefined });
    expect(await mm.mute(CHANNEL, false)).toEqual({ ok: true, value: undefined });
    expect(sim.actions.map((a) => ({ ...a, ActionID: undefined }))).toEqual([
      { Action: 'Login', ActionID: undefined, Username: 'callrec', Secret: 'callrec', Events: 'call,user' },
      { Action: 'MixMonitorMute', ActionID: undefined, Channel: CHANNEL, Direction: 'both', State: '1' },
      { Action: 'MixMonitorMute', ActionID: undefined, Channel: CHANNEL, Direction: 'both', State: '0' },
    ]);
    await waitFor(() => events.length >= 4);
    expect(events.map((e) => (e.type === 'MixMonitorMute' ? `mute:${e.muted}` : e.type))).toEqual([
      'MixMonitorStart',
      'mute:true',
      'mute:false',
      'Hangup',
    ]);
  });

  it('stops and restarts with append (pause by skipping) over split chunks', async () => {
    await connect({ trace: 'q6-mixmonitor-append', chunkBytes: 9 });
    const mm = new AmiMixMonitorControl(client);
    const channel = 'Local/100@hp-mm-00000a49;2';
    expect((await mm.stop(channel, '0x7f4c000169f0')).ok).toBe(true);
    expect((await mm.start(channel, '/var/spool/asterisk/monitor/x.wav', 'ab')).ok).toBe(true);
    expect(sim.actions.slice(1).map((a) => [a.Action, a.Channel, a.MixMonitorID ?? a.File, a.Options])).toEqual([
      ['StopMixMonitor', channel, '0x7f4c000169f0', undefined],
      ['MixMonitor', channel, '/var/spool/asterisk/monitor/x.wav', 'ab'],
    ]);
    await waitFor(() => events.length >= 4);
    expect(events.map((e) => e.type)).toEqual(['MixMonitorStart', 'MixMonitorStop', 'MixMonitorStart', 'Hangup']);
  });

  it('maps "No such channel" to not-found', async () => {
    await connect({ trace: 'q6-mixmonitor-mute-both' });
    const r = await new AmiMixMonitorControl(client).stop('Local/gone-00000001;2', null);
    expect(r).toEqual({ ok: false, error: { kind: 'not-found', detail: 'AMI StopMixMonitor: No such channel' } });
  });

  it('times out an action whose reply never comes, and keeps working after it', async () => {
    await connect({ trace: 'q6-mixmonitor-mute-both' }, 'callrec', 400);
    sim.silent.add('MixMonitorMute');
    const started = Date.now();
    const r = await new AmiMixMonitorControl(client).mute(CHANNEL, true);
    expect(r).toEqual({ ok: false, error: { kind: 'timeout', detail: 'AMI MixMonitorMute: no reply within 400 ms' } });
    expect(Date.now() - started).toBeLessThan(1000);
    sim.silent.clear();
    expect((await new AmiMixMonitorControl(client).mute(CHANNEL, true)).ok).toBe(true);
  });

  it('fails pending actions at once when the connection drops, then reconnects and logs in again', async () => {
    await connect({ trace: 'q6-mixmonitor-mute-both' }, 'callrec', 5000);
    sim.silent.add('MixMonitorMute');
    const pending = new AmiMixMonitorControl(client).mute(CHANNEL, true);
    await waitFor(() => sim.actions.some((a) => a.Action === 'MixMonitorMute'));
    sim.dropAll();
    expect(await pending).toEqual({
      ok: false,
      error: { kind: 'disconnected', detail: 'AMI MixMonitorMute: connection closed by Asterisk' },
    });
    sim.silent.clear();
    await waitFor(() => sim.connections >= 2 && client.status() === 'connected');
    expect(statuses).toEqual(['connecting', 'connected', 'connecting', 'connected']);
    expect((await new AmiMixMonitorControl(client).mute(CHANNEL, false)).ok).toBe(true);
  });

  it('answers disconnected at once while Asterisk is down, and connects when it comes up', async () => {
    await connect({ trace: 'q6-mixmonitor-mute-both' });
    const port = sim.port;
    await sim.close();
    await waitFor(() => client.status() === 'connecting');
    expect(await client.send('Ping')).toEqual({
      ok: false,
      error: { kind: 'disconnected', detail: `AMI Ping: not connected to AMI at 127.0.0.1:${port}` },
    });
    sim = new AmiSim({ trace: 'q6-mixmonitor-mute-both' });
    await sim.listen(port);
    await waitFor(() => client.status() === 'connected');
  });

  it('keeps retrying a rejected login with backoff and never reports connected', async () => {
    await connect({ trace: 'q6-mixmonitor-mute-both' }, 'wrong');
    await waitFor(() => sim.connections >= 3);
    expect(client.status()).toBe('connecting');
    expect(statuses).not.toContain('connected');
    expect(sim.actions.every((a) => a.Action === 'Login')).toBe(true);
  });
});
