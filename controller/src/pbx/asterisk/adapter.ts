// Asterisk over ARI (websocket + REST) for the gate and the call's events, and AMI (through
// MixMonitorControl) for the recorder once the call has left Stasis.
import type { Config } from '../../config/types';
import type { PbxCommand } from '../../domain/commands';
import type { PbxEvent } from '../../domain/pbx-events';
import type { Logger } from '../../util/logger';
import { redactUrl } from '../../util/redact-url';
import { err, ok, type Result } from '../../util/result';
import { PbxEventHub } from '../event-hub';
import type { PbxError, PbxPort, PbxStatus } from '../port';
import { reconnectLoop, type Connection } from '../reconnect-loop';
import { hasOneShotVars } from './api-docs';
import { AriHttp } from './ari-http';
import { AriPipeline } from './ari-pipeline';
import { GateRelease } from './gate-release';
import { Announcer } from './announce';
import { VAR } from './dialplan-vars';
import { openEventSocket, type EventSocket } from './event-socket';
import { asChannel, contractOf, toPbxEvent } from './events';
import { filterEvents, FollowedChannels } from './follow';
import type { MixMonitorControl } from './mixmonitor-control';
import { mixMonitorOptions } from './mixmonitor-options';
import { probeAri } from './probe';
import { sweepChannels } from './sweep';

export interface AsteriskAdapterOptions {
  mixmon: MixMonitorControl;
  requestTimeoutMs?: number;
  maxSockets?: number;
  /** Read the served channels swagger document at each connect (checks the ARI we talk to). */
  checkApi?: boolean;
}

export class AsteriskAdapter implements PbxPort {
  readonly kind = 'asterisk' as const;
  private current: PbxStatus = 'stopped';
  private loop: Promise<void> | null = null;
  private socket: EventSocket | null = null;
  readonly http: AriHttp;
  private readonly pipe: AriPipeline;
  private oneShotVars = true;
  private readonly gate: GateRelease;
  private readonly announcer: Announcer;
  /** Agent leg id -> recorded channel id. */
  private readonly peers = new Map<string, string>();
  /** The channels whose events we read, with their names. */
  private readonly followed: FollowedChannels;

  private readonly hub: PbxEventHub;

  constructor(
    private readonly cfg: Config,
    private readonly logger: Logger,
    private readonly opts: AsteriskAdapterOptions,
  ) {
    this.hub = new PbxEventHub(logger);
    this.followed = new FollowedChannels(cfg.ari.app);
    this.http = new AriHttp(cfg.ari.url, cfg.ari.user, cfg.ari.password, {
      timeoutMs: opts.requestTimeoutMs ?? 2000,
      maxSockets: opts.maxSockets ?? 8,
    });
    this.pipe = new AriPipeline(cfg.ari.url, cfg.ari.user, cfg.ari.password, {
      timeoutMs: opts.requestTimeoutMs ?? 2000,
      // Connections kept for the next gates: a burst of 20 calls that had to open 12 new ones
      // (a thread each on Asterisk) measured 121 ms p50 in the gate, 30 ms with them kept.
      maxIdle: 32,
    });
    this.gate = new GateRelease(cfg, logger, this.http, this.pipe, () => this.oneShotVars);
    this.announcer = new Announcer(this.http, cfg.ari.app, logger, (callId, promptId, failure) =>
      this.emit({ type: 'PromptFinished', callId, at: new Date(), promptId, failure }),
    );
  }

  /** Channels whose name or agent leg is still remembered: 0 once every call has ended (tests). */
  tracked(): number {
    return this.peers.size + this.followed.size + this.announcer.tracked();
  }

  /** Whether this channel's events reach the registry (in the gate, adopted, or an agent leg). */
  follows(channelId: string): boolean {
    return this.followed.has(channelId);
  }

  status(): PbxStatus {
    return this.current;
  }

  onEvent(handler: (e: PbxEvent) => void): () => void {
    return this.hub.on(handler);
  }

  private emit(e: PbxEvent): void {
    this.hub.emit(e);
  }

  async start(signal: AbortSignal): Promise<void> {
    this.loop = reconnectLoop(
      {
        name: `ARI at ${redactUrl(this.cfg.ari.url)}`,
        logger: this.logger,
        baseMs: 250,
        capMs: 5000,
        onStatus: (s) => {
          this.current = s;
        },
        connect: () => this.connectOnce(),
      },
      signal,
    );
  }

  private async connectOnce(): Promise<Connection> {
    // Probe first with our own timeout and a plain reason for the log.
    const probe = await probeAri(this.cfg.ari);
    if (!probe.ok) throw new Error(probe.detail.replace(`ARI at ${redactUrl(this.cfg.ari.url)}: `, ''));
    if (this.opts.checkApi !== false) await this.checkApi();
    await this.gate.checkDialplan();
    const socket = await openEventSocket({
      url: this.cfg.ari.url,
      user: this.cfg.ari.user,
      password: this.cfg.ari.password,
      app: this.cfg.ari.app,
      subscribeAll: true,
      onEvent: (raw) => this.onRaw(raw),
      skip: (text) => this.followed.skips(text),
      onBadFrame: (detail) => this.logger.warn(`dropped an ARI frame: ${detail}`),
    });
    this.socket = socket;
    const openedAt = performance.now();
    await filterEvents(this.http, this.cfg.ari.app, this.logger);
    // Released within a second or two of the restart: the caller has been hearing silence.
    const inUse = (id: string) => this.announcer.tracks(id);
    void sweepChannels(this.http, this.cfg.ari.app, this.logger, openedAt, inUse).then((events) => {
      for (const e of events) {
        if (e.type === 'GateEntered') {
          this.gate.entered(e.callId, null);
          this.followed.follow(e.callId);
        }
        if (e.type === 'LiveCallsListed')
          for (const id of this.followed.prune(new Set(e.callIds), e.askedAt)) this.forget(id);
        this.emit(e);
      }
    });
    return { closed: socket.closed, close: () => socket.close() };
  }

  /** The served swagger tells us whether one-shot POST /variables exists. */
  private async checkApi(): Promise<void> {
    const doc = await this.http.request('GET', '/api-docs/channels.json');
    if (!doc.ok) throw new Error(`could not read the ARI swagger document: ${doc.error.detail}`);
    this.oneShotVars = hasOneShotVars(doc.value);
    if (!this.oneShotVars)
      this.logger.warn(
        'this Asterisk has no POST /channels/{id}/variables (22.10+): setting the decision one variable at a time',
      );
  }

  private readonly dropped = (problem: string, channelId: string | null): void => {
    this.logger.warn(`dropped an ARI event: ${problem}`, { callId: channelId ?? undefined });
  };

  private onRaw(raw: unknown): void {
    if (this.announcer.intercept(raw) || !this.followed.wants(raw)) return;
    // A blind transfer's `channel` is the transferer, whose end we may never hear of: not remembered.
    const r = raw as { type?: unknown; channel?: unknown } | null;
    const ch = r?.type === 'BridgeBlindTransfer' ? null : asChannel(r?.channel);
    const ev = toPbxEvent(raw, this.dropped);
    if (ev?.type === 'GateEntered') this.followed.follow(ev.callId);
    if (ch) this.followed.noteName(ch.id, ch.name);
    if (!ev) return this.watchPeer(raw);
    // A feature code pressed by the agent arrives on the agent's leg: route it to the recorded call.
    const owner = this.peers.get(ev.callId);
    if (owner) {
      if (ev.type === 'FeatureRequested') this.emit({ ...ev, callId: owner });
      if (ev.type === 'CallGone') this.forget(ev.callId);
      return;
    }
    if (ev.type === 'GateEntered') this.gate.entered(ev.callId, contractOf(raw));
    if (ev.type === 'CallGone') this.forget(ev.callId);
    this.emit(ev);
  }

  /**
   * Every channel's events reach us (subscribeAll): following is local. A call in the gate is
   * there; one found outside it (adopted) is asked for, so a call already gone is "not-found".
   */
  private async watch(callId: string): Promise<Result<void, PbxError>> {
    this.followed.follow(callId);
    if (this.gate.has(callId)) return ok(undefined);
    const r = await this.http.request('GET', `/channels/${encodeURIComponent(callId)}`);
    if (r.ok) return ok(undefined);
    if (r.error.kind === 'not-found') this.forget(callId);
    return r;
  }

  /** A call in the gate, followed from now on, let go with its decision in `continue`. */
  releaseNow(cmd: Extract<PbxCommand, { type: 'SetDecision' }>): Promise<Result<void, PbxError>> | null {
    if (!this.gate.has(cmd.callId)) return null;
    this.followed.follow(cmd.callId);
    return this.gate.releaseNow(cmd);
  }

  /** A channel that ended, or was found gone: nothing of it is kept. */
  private forget(channelId: string): void {
    this.peers.delete(channelId);
    this.followed.unfollow(channelId);
    this.gate.forget(channelId);
  }

  /** Follow the agent leg a recorded call dials, so its feature codes reach us too. */
  private watchPeer(raw: unknown): void {
    const r = raw as { type?: unknown; caller?: unknown; peer?: unknown; dialstatus?: unknown };
    if (r?.type !== 'Dial' || r.dialstatus !== '') return;
    const caller = asChannel(r.caller);
    const peer = asChannel(r.peer);
    if (!caller || !peer || !this.followed.has(caller.id) || this.peers.has(peer.id)) return;
    this.peers.set(peer.id, caller.id);
    this.followed.follow(peer.id);
  }

  async execute(cmd: PbxCommand): Promise<Result<void, PbxError>> {
    const id = encodeURIComponent(cmd.callId);
    const done = (r: Result<unknown, PbxError>): Result<void, PbxError> => (r.ok ? ok(undefined) : r);
    switch (cmd.type) {
      case 'Answer':
        return done(await this.http.request('POST', `/channels/${id}/answer`));
      case 'Play': {
        const q: Record<string, string> = { media: `sound:${cmd.sound}` };
        if (cmd.language) q.lang = cmd.language;
        return done(await this.http.request('POST', `/channels/${id}/play/${encodeURIComponent(cmd.promptId)}`, q));
      }
      case 'StopPrompt': {
        const r = await this.http.request('DELETE', `/playbacks/${encodeURIComponent(cmd.promptId)}`);
        return !r.ok && r.error.kind === 'not-found' ? ok(undefined) : done(r);
      }
      case 'Watch':
        return this.watch(cmd.callId);
      case 'SetDecision':
        return this.gate.setDecision(cmd);
      case 'Continue':
        return this.gate.continueCall(cmd.callId);
      case 'Hangup':
        return done(await this.http.request('DELETE', `/channels/${id}`));
      case 'Announce':
        return this.announcer.announce(cmd);
      default:
        return this.recorder(cmd);
    }
  }

  private async channelName(id: string): Promise<Result<string, PbxError>> {
    const known = this.followed.name(id);
    if (known) return ok(known);
    const r = await this.http.request('GET', `/channels/${encodeURIComponent(id)}`);
    if (!r.ok) return r;
    const ch = asChannel(r.value);
    return ch ? ok(ch.name) : err({ kind: 'rejected', detail: `GET /channels/${id}: no channel name in the answer` });
  }

  /** Only AMI can touch a MixMonitor outside Stasis (verified on Asterisk 22). */
  private async recorder(
    cmd: Extract<PbxCommand, { type: 'StartRecording' | 'PauseRecording' | 'ResumeRecording' | 'StopRecording' }>,
  ): Promise<Result<void, PbxError>> {
    const options = mixMonitorOptions('recorder' in cmd ? cmd.recorder : null);
    if (!options.ok) return options;
    const name = await this.channelName(cmd.callId);
    if (!name.ok) return name;
    const m = this.opts.mixmon;
    const withId = `i(${VAR.MIXMON_ID})`;
    switch (cmd.type) {
      case 'StartRecording':
        return m.start(name.value, cmd.file, `${options.value}${withId}`);
      case 'StopRecording':
        return m.stop(name.value, cmd.recorderId);
      case 'PauseRecording':
        return cmd.mode === 'silence' ? m.mute(name.value, true) : m.stop(name.value, cmd.recorderId);
      // Skip mode stopped the MixMonitor: a new one appends (a) to the same file.
      case 'ResumeRecording':
        return cmd.mode === 'silence'
          ? m.mute(name.value, false)
          : m.start(name.value, cmd.file, `${options.value}a${withId}`);
    }
  }

  async stop(): Promise<void> {
    this.socket?.close();
    this.socket = null;
    await this.loop;
    this.http.close();
    this.pipe.close();
  }
}
