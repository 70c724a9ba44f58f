// An ARI simulator: serves the swagger documents Asterisk 22 really serves (basePath rewritten to
// this server) so the real ari-client connects unchanged, answers the REST calls the controller
// makes, and pushes events over the websocket in the shapes of the real traces.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { ASTERISK_FIXTURES } from '../traces';
import { channelEvent, playbackEvent, ariNow, type SimChannel } from './events';
import { handleRest } from './rest';

export interface SimOptions {
  user?: string;
  password?: string;
  playbackMs?: number;
  app?: string;
}
export interface SimRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  status: number;
  at: number;
  atPerf: number;
  /** The client's port: requests with the same one came on the same connection. */
  port: number;
}

interface ChannelState {
  ch: SimChannel;
  vars: Map<string, string>;
  inStasis: boolean;
  subscribed: boolean;
}

export class AriSim {
  readonly requests: SimRequest[] = [];
  readonly channels = new Map<string, ChannelState>();
  /** Requests for which this returns true never get an answer (the ari-client hazard). */
  hang: (method: string, path: string) => boolean = () => false;
  /** A promise for a request whose answer, computed on arrival, waits for it (a slow answer in flight). */
  answerAfter: (method: string, path: string) => Promise<void> | null = () => null;
  /** A promise a request waits for before it is read at all (a slow server: the answer is computed after). */
  readAfter: (method: string, path: string) => Promise<void> | null = () => null;
  /** Channels GET /channels still lists although they are gone (a list read a moment too early). */
  readonly listedGone: SimChannel[] = [];
  /** Snoop channels created (POST /channels/{id}/snoop), in order. */
  readonly snoops: Array<{ of: string; id: string; spy: string; whisper: string }> = [];
  /** Dialplan globals (GET /asterisk/variable): unset ones read as "", as on Asterisk 22. */
  readonly globals = new Map<string, string>();
  /** While true every request and websocket upgrade is refused (503): Asterisk down or restarting. */
  refuse = false;
  /** Called after continue when the dialplan would run MixMonitor (write the WAV here), with its options. */
  onRecord: (channelId: string, file: string, options: string) => void = () => {};
  private readonly sockets = new Set<WebSocket>();
  /** Websockets opened with subscribeAll=true: they get every channel's events. */
  private readonly all = new WeakSet<WebSocket>();
  /** The application's event filter (PUT /applications/{app}/eventFilter): allowed types, empty = all. */
  readonly allowed = new Set<string>();
  private readonly playTimers = new Map<string, { timer: NodeJS.Timeout; channelId: string; media: string }>();
  private seq = 0;
  private readonly server: http.Server;
  private readonly wss = new WebSocketServer({ noServer: true });
  url = '';

  private constructor(private readonly opts: Required<SimOptions>) {
    // One request at a time per connection, as Asterisk's HTTP server reads them (pipelining).
    const chains = new WeakMap<object, Promise<void>>();
    this.server = http.createServer((req, res) => {
      const next = (chains.get(req.socket) ?? Promise.resolve())
        .then(() => this.route(req, res))
        .catch(() => undefined);
      chains.set(req.socket, next);
    });
    this.server.on('upgrade', (req, socket, head) => {
      const u = new URL(req.url ?? '/', 'http://x');
      if (this.refuse) {
        socket.end('HTTP/1.1 503 Service Unavailable\r\n\r\n');
        return;
      }
      if (u.pathname !== '/ari/events' || u.searchParams.get('api_key') !== `${opts.user}:${opts.password}`) {
        socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        this.sockets.add(ws);
        if (u.searchParams.get('subscribeAll') === 'true') this.all.add(ws);
        ws.on('close', () => this.sockets.delete(ws));
      });
    });
  }

  static async start(opts: SimOptions = {}): Promise<AriSim> {
    const sim = new AriSim({ user: 'callrec', password: 'secret', playbackMs: 50, app: 'callrec', ...opts });
    await new Promise<void>((r) => sim.server.listen(0, '127.0.0.1', r));
    const a = sim.server.address() as { port: number };
    sim.url = `http://127.0.0.1:${a.port}`;
    return sim;
  }

  get connected(): number {
    return this.sockets.size;
  }

  async stop(): Promise<void> {
    for (const p of this.playTimers.values()) clearTimeout(p.timer);
    for (const s of this.sockets) s.terminate();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** Drops every websocket, as when Asterisk restarts its HTTP side or the network blips. */
  dropClients(): void {
    for (const s of this.sockets) s.terminate();
  }

  addChannel(over: Partial<SimChannel> = {}): SimChannel {
    const n = ++this.seq;
    const ch: SimChannel = {
      id: `1795390000.${n}`,
      name: `Local/100@in-${String(n).padStart(8, '0')};2`,
      state: 'Ring',
      protocol_id: '',
      caller: { name: '', number: '3105550100' },
      connected: { name: '', number: '' },
      accountcode: '',
      dialplan: { context: 'callrec-gate', exten: 's', priority: 2, app_name: 'Dial', app_data: '' },
      creationtime: ariNow(),
      language: 'en',
      ...over,
    };
    this.channels.set(ch.id, { ch, vars: new Map(), inStasis: false, subscribed: false });
    return ch;
  }

  /** The dialplan runs Stasis(<app>,<args>): StasisStart to the app. */
  enterStasis(channelId: string, args: string[], opts: { silent?: boolean } = {}): void {
    const s = this.mustGet(channelId);
    s.inStasis = true;
    s.ch.dialplan = { ...s.ch.dialplan, app_name: 'Stasis', app_data: [this.opts.app, ...args].join(',') };
    if (!opts.silent) this.push(channelEvent('StasisStart', s.ch, this.opts.app, { args }));
  }

  pushRaw(text: string): void {
    for (const s of this.sockets) s.send(text);
  }
  /** An event to the application, unless its filter keeps that type out. */
  push(e: object): void {
    const type = (e as { type?: unknown }).type;
    if (this.allowed.size > 0 && typeof type === 'string' && !this.allowed.has(type)) return;
    this.pushRaw(JSON.stringify(e));
  }

  /** An event about a channel, delivered when the app may see it (in Stasis, subscribed, or subscribed to all). */
  channelEvent(channelId: string, type: string, fields: Record<string, unknown> = {}): void {
    const s = this.channels.get(channelId);
    if (!s || (this.allowed.size > 0 && !this.allowed.has(type))) return;
    const text = JSON.stringify(channelEvent(type, s.ch, this.opts.app, fields));
    for (const ws of this.sockets) if (s.inStasis || s.subscribed || this.all.has(ws)) ws.send(text);
  }

  dtmf(channelId: string, digit: string): void {
    this.channelEvent(channelId, 'ChannelDtmfReceived', { digit, duration_ms: 100 });
  }

  hangup(channelId: string, cause = 16): void {
    this.channelEvent(channelId, 'ChannelHangupRequest', { cause, soft: true });
    this.channelEvent(channelId, 'ChannelDestroyed', { cause, cause_txt: 'Normal Clearing' });
    this.channels.delete(channelId);
  }

  setVar(channelId: string, variable: string, value: string): void {
    const s = this.mustGet(channelId);
    s.vars.set(variable, value);
    this.channelEvent(channelId, 'ChannelVarset', { variable, value });
  }

  private mustGet(id: string): ChannelState {
    const s = this.channels.get(id);
    if (!s) throw new Error(`no simulated channel ${id}`);
    return s;
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (this.refuse) {
      res.writeHead(503).end();
      return;
    }
    const u = new URL(req.url ?? '/', this.url);
    const body = await readBody(req);
    const query = Object.fromEntries(u.searchParams.entries());
    const p = u.pathname.replace(/^\/ari/, '');
    const send = (status: number, data?: unknown) => {
      const wait = this.answerAfter(req.method ?? '', p);
      if (wait) void wait.then(() => answer(status, data));
      else answer(status, data);
    };
    const answer = (status: number, data?: unknown) => {
      this.requests.push({
        method: req.method ?? '',
        path: p,
        query,
        body,
        status,
        at: Date.now(),
        atPerf: performance.now(),
        port: req.socket.remotePort ?? 0,
      });
      res.writeHead(status, { 'content-type': 'application/json' }).end(data === undefined ? '' : JSON.stringify(data));
    };
    if (p.startsWith('/api-docs/')) return this.apiDoc(p.slice('/api-docs/'.length), res);
    const auth = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString();
    if (auth !== `${this.opts.user}:${this.opts.password}`) return send(401, { message: 'Authentication required' });
    if (this.hang(req.method ?? '', p)) return; // never answers
    await this.readAfter(req.method ?? '', p);
    handleRest(this, req.method ?? '', p, query, body, send);
  }

  private apiDoc(file: string, res: http.ServerResponse): void {
    const f = path.join(ASTERISK_FIXTURES, 'served-api-docs', path.basename(file));
    if (!fs.existsSync(f)) {
      res.writeHead(404).end();
      return;
    }
    const text = fs.readFileSync(f, 'utf8').split('http://127.0.0.1:8088/ari').join(`${this.url}/ari`);
    res.writeHead(200, { 'content-type': 'application/json' }).end(text);
  }

  // Internals used by rest.ts
  state(id: string): ChannelState | undefined {
    return this.channels.get(id);
  }
  get app(): string {
    return this.opts.app;
  }

  startPlayback(channelId: string, id: string, media: string): object {
    const pb = { id, media_uri: media, target_uri: `channel:${channelId}`, language: 'en', state: 'playing' };
    this.push(playbackEvent('PlaybackStarted', pb, this.opts.app));
    const timer = setTimeout(() => this.finishPlayback(id), this.opts.playbackMs);
    this.playTimers.set(id, { timer, channelId, media });
    return { ...pb, state: 'queued' };
  }

  finishPlayback(id: string): boolean {
    const p = this.playTimers.get(id);
    if (!p) return false;
    clearTimeout(p.timer);
    this.playTimers.delete(id);
    if (this.channels.has(p.channelId))
      this.push(
        playbackEvent(
          'PlaybackFinished',
          { id, media_uri: p.media, target_uri: `channel:${p.channelId}`, language: 'en', state: 'done' },
          this.opts.app,
        ),
      );
    return true;
  }
}

function readBody(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const t = Buffer.concat(chunks).toString();
      try {
        resolve(t ? JSON.parse(t) : null);
      } catch {
        resolve(t);
      }
    });
  });
}
