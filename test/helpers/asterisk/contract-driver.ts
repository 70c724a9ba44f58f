// The contract driver for Asterisk: the real adapter over the ARI simulator (real swagger, trace-
// shaped events), MixMonitor control through the real AmiMixMonitorControl over a model of the
// manager's replies.
import { loadConfig } from '../../../controller/src/config';
import { AmiMixMonitorControl } from '../../../controller/src/pbx/asterisk/ami';
import { AsteriskAdapter } from '../../../controller/src/pbx/asterisk/adapter';
import { silentLogger } from '../../../controller/src/util/logger';
import { MixMonitorModel } from './ami-mixmonitor-model';
import { AriSim } from './ari-sim';
import { ariNow } from './ari-sim/events';
import { templateOf } from './traces';
import { SimulatedDriver, until, type ContractDriver, type GateCall, type PromptHeard } from '../contract/driver';

export class AsteriskContract extends SimulatedDriver implements ContractDriver {
  readonly kind = 'asterisk' as const;
  private sim!: AriSim;
  private ami!: MixMonitorModel;
  private adapter!: AsteriskAdapter;
  private readonly abort = new AbortController();
  private readonly languages = new Map<string, string>();

  get port(): AsteriskAdapter {
    return this.adapter;
  }

  async start(): Promise<void> {
    // Prompts play until the test ends them (finishPrompt) or the adapter stops them.
    this.sim = await AriSim.start({ playbackMs: 60_000 });
    this.ami = new MixMonitorModel(this.sim);
    this.sim.onRecord = (id, file, options) => this.ami.started(id, file, options);
    const cfg = loadConfig({ CALLREC_ARI_URL: this.sim.url, CALLREC_ARI_PASSWORD: 'secret' });
    this.adapter = new AsteriskAdapter(cfg, silentLogger(), {
      mixmon: new AmiMixMonitorControl(this.ami),
      requestTimeoutMs: 1000,
    });
    this.adapter.onEvent((e) => this.events.push(e));
    await this.adapter.start(this.abort.signal);
    await until(
      () => this.adapter.status() === 'connected' && this.events.some((e) => e.type === 'LiveCallsListed'),
      5000,
      'the ARI connection and its sweep',
    );
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.adapter.stop();
    await this.sim.stop();
  }

  enterGate(g: GateCall): string {
    const ch = this.sim.addChannel({
      caller: { name: '', number: g.from },
      connected: { name: '', number: g.to },
      language: g.language,
      state: g.answered ? 'Up' : 'Ring',
    });
    this.languages.set(ch.id, g.language);
    this.sim.enterStasis(ch.id, ['gate', g.flow, g.applet]);
    return ch.id;
  }

  pressDigit(callId: string, digit: string): void {
    this.sim.dtmf(callId, digit);
  }

  finishPrompt(callId: string): void {
    const play = this.plays(callId).pop();
    if (play) this.sim.finishPlayback(decodeURIComponent(play.path.split('/').pop() ?? ''));
  }

  /** Dial answers the caller's channel when the agent picks up, then bridges them (q4 trace order). */
  answer(callId: string): void {
    const s = this.sim.state(callId);
    if (!s) return;
    if (s.ch.state !== 'Up') {
      s.ch.state = 'Up';
      this.sim.channelEvent(callId, 'ChannelStateChange');
    }
    const agent = this.sim.addChannel({
      name: `Local/201@agents-${callId.replace(/\D/g, '')};1`,
      caller: { name: '', number: '201' },
      state: 'Up',
    });
    const dial = templateOf('Dial', 'q7-feature-caller-dtmf.subscribeall.jsonl');
    this.sim.push({
      ...dial,
      timestamp: ariNow(),
      caller: { ...s.ch },
      peer: { ...agent },
      dialstatus: 'ANSWER',
      dialstring: '201',
      application: 'callrec',
    });
    this.sim.setVar(callId, 'BRIDGEPEER', agent.name);
  }

  hangup(callId: string): void {
    this.sim.hangup(callId);
  }

  sendGarbage(callId: string): void {
    const ch = this.sim.state(callId)?.ch;
    this.sim.pushRaw('not json at all');
    this.sim.pushRaw('null');
    this.sim.push({ type: 'NoSuchEvent', timestamp: ariNow(), channel: ch });
    this.sim.push({ type: 'StasisStart', args: ['gate'] });
    this.sim.push({ type: 'PlaybackFinished', playback: {} });
    this.sim.channelEvent(callId, 'ChannelDtmfReceived', { digit: undefined });
    this.sim.channelEvent(callId, 'ChannelUserevent', {
      eventname: 'CallrecFeature',
      userevent: { action: 'explode' },
    });
  }

  disconnect(): void {
    this.sim.refuse = true;
    this.sim.dropClients();
  }

  reconnect(): void {
    this.sim.refuse = false;
  }

  leftGate(callId: string): boolean {
    return this.sim.requests.some(
      (r) => r.method === 'POST' && r.path === `/channels/${callId}/continue` && r.status === 204,
    );
  }

  prompts(callId: string): PromptHeard[] {
    // Without lang= Asterisk plays in the channel's language.
    return this.plays(callId).map((r) => ({
      sound: (r.query.media ?? '').replace(/^sound:/, ''),
      language: r.query.lang ?? this.languages.get(callId) ?? '',
    }));
  }

  protected model() {
    return this.ami;
  }

  sessions(): number {
    return this.sim.requests.filter((r) => r.method === 'GET' && r.path === '/asterisk/info').length;
  }

  private plays(callId: string) {
    return this.sim.requests.filter(
      (r) => r.method === 'POST' && r.path.startsWith(`/channels/${callId}/play/`) && r.status === 201,
    );
  }
}
