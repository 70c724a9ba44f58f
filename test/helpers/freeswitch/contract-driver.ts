// The contract driver for FreeSWITCH: the real adapter with its watching connection on the ESL
// simulator (fixture frames, the switch's state in EslSwitch) and each gated call played from the
// switch's side of the outbound socket.
import crypto from 'node:crypto';
import { loadConfig } from '../../../controller/src/config';
import { FreeswitchAdapter } from '../../../controller/src/pbx/freeswitch/adapter';
import { silentLogger } from '../../../controller/src/util/logger';
import { OutboundCall } from './esl-outbound-call';
import { startEslSim, type EslSim } from './esl-sim';
import { EslSwitch, switchEvent } from './esl-switch';
import { SimulatedDriver, until, type ContractDriver, type GateCall, type PromptHeard } from '../contract/driver';

const SOUNDS = '/snd';

export class FreeswitchContract extends SimulatedDriver implements ContractDriver {
  readonly kind = 'freeswitch' as const;
  private sim!: EslSim;
  private sw!: EslSwitch;
  private adapter!: FreeswitchAdapter;
  private readonly calls = new Map<string, OutboundCall>();
  private readonly abort = new AbortController();

  get port(): FreeswitchAdapter {
    return this.adapter;
  }

  async start(): Promise<void> {
    this.sim = await startEslSim();
    this.sw = new EslSwitch(this.sim, {
      onBreak: (uuid) => this.calls.get(uuid)?.finishPlayback(),
      onHangup: (uuid) => this.calls.get(uuid)?.leave(),
    });
    this.sim.setApi(this.sw.api);
    const cfg = loadConfig({
      CALLREC_PBX: 'freeswitch',
      CALLREC_ESL_PORT: String(this.sim.port),
      CALLREC_ESL_PASSWORD: 'ClueCon',
      CALLREC_ESL_SOUNDS_DIR: SOUNDS,
    });
    this.adapter = new FreeswitchAdapter(cfg, silentLogger(), {
      listenPort: 0,
      backoffBaseMs: 20,
      backoffCapMs: 50,
      commandTimeoutMs: 500,
    });
    this.adapter.onEvent((e) => this.events.push(e));
    await this.adapter.start(this.abort.signal);
    await this.sim.waitForSubscribers(1, 5000);
    await until(() => this.adapter.status() === 'connected', 5000, 'the ESL connection');
  }

  async stop(): Promise<void> {
    for (const c of this.calls.values()) c.leave();
    this.abort.abort();
    await this.adapter.stop();
    await this.sim.close();
  }

  enterGate(g: GateCall): string {
    const uuid = crypto.randomUUID();
    this.sw.add(uuid, { name: `loopback/${g.to}-b`, from: g.from, to: g.to, answered: g.answered });
    // What the applet snippet and callrec_gate set before `socket` (dialplan/freeswitch/callrec.xml).
    const variables = Object.fromEntries(
      Object.entries({ callrec_flow: g.flow, callrec_applet: g.applet, callrec_language: g.language }).filter(
        ([, v]) => v !== '',
      ),
    );
    this.calls.set(
      uuid,
      new OutboundCall({
        port: this.adapter.gatePort ?? 0,
        uuid,
        variables,
        answered: g.answered,
        from: g.from,
        to: g.to,
        onApp: (app, arg) => this.sw.runApp(uuid, app, arg),
      }),
    );
    return uuid;
  }

  /** The digit reaches the call's socket (while in the gate) and the watching connection alike. */
  pressDigit(callId: string, digit: string): void {
    const call = this.calls.get(callId);
    if (call?.inSocket) call.dtmf(digit);
    this.sw.dtmf(callId, digit);
  }

  finishPrompt(callId: string): void {
    this.calls.get(callId)?.finishPlayback();
  }

  answer(callId: string): void {
    this.sw.answer(callId);
  }

  hangup(callId: string): void {
    this.sw.hangup(callId);
  }

  sendGarbage(callId: string): void {
    this.sim.emit([
      '{"Event-Name":"CHANNEL_ANSWER", this is not json',
      switchEvent('DTMF', callId, { 'DTMF-Digit': 'x' }),
      switchEvent('RECORD_START', callId, { 'Record-File-Path': undefined }),
      switchEvent('CHANNEL_HANGUP', callId, { 'Unique-ID': undefined }),
      switchEvent('CHANNEL_ANSWER', callId, { 'Event-Sequence': undefined }),
    ]);
  }

  disconnect(): void {
    this.sim.refuse(true);
    this.sim.dropClients();
  }

  reconnect(): void {
    this.sim.refuse(false);
  }

  leftGate(callId: string): boolean {
    return this.calls.get(callId)?.exited ?? false;
  }

  /** Prompts from the gate's playback apps and from uuid_broadcast, as <sounds>/<lang>/<sound>.wav. */
  prompts(callId: string): PromptHeard[] {
    const files = [
      ...(this.calls
        .get(callId)
        ?.apps.filter((a) => a.app === 'playback')
        .map((a) => a.arg) ?? []),
      ...(this.sw.channels.get(callId)?.broadcasts ?? []),
    ];
    return files.map((f) => {
      const [language = '', ...rest] = f.slice(SOUNDS.length + 1).split('/');
      return { language, sound: rest.join('/').replace(/\.wav$/, '') };
    });
  }

  protected model() {
    return this.sw;
  }

  /** The adapter's own subscriptions (modesl sends one of its own at every login too). */
  sessions(): number {
    return this.sim.commands.filter((c) => c.startsWith('event json') && c.includes('RECORD_START')).length;
  }
}
