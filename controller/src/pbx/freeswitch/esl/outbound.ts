// The outbound-socket gate: FreeSWITCH runs `socket 127.0.0.1:<port> async full` and connects to
// us; we answer `connect` (CHANNEL_DATA comes back), subscribe to this call's completions and
// digits, run dialplan apps with sendmsg, then `exit` and the dialplan goes on.
// Own framing over node:net rather than modesl's esl.Server: modesl's outbound Connection writes
// `connect` from its constructor in two writes before a caller can reach the socket to set
// NoDelay (one ~40 ms Nagle stall per call), and re-appends its required events to every
// subscription. Here each command is one write.
import { ioTimeout } from '../../../util/io-timeout';
import crypto from 'node:crypto';
import net from 'node:net';
import { err, ok, type Result } from '../../../util/result';
import { encodeCommand, FrameParser, parseEventBody, type EslFrame } from './frame';
import type { EslFailure, EslLogger } from './session';

export type RawHeaders = Readonly<Record<string, string>>;

export interface GateChannel {
  readonly uuid: string;
  /** CHANNEL_DATA: the channel's variables and caller profile when it reached `socket`. */
  readonly data: RawHeaders;
  /**
   * Queues a dialplan app; resolves on the switch's +OK with the app's id (its completion is an
   * event, which may arrive in the same packet as the +OK: pass the id to know it beforehand).
   */
  send(app: string, arg: string, appId?: string): Promise<Result<string, EslFailure>>;
  /** Runs an app and waits for its CHANNEL_EXECUTE_COMPLETE. */
  run(app: string, arg: string, timeoutMs?: number): Promise<Result<RawHeaders, EslFailure>>;
  /** This call's CHANNEL_EXECUTE_COMPLETE and DTMF events, in wire order. */
  onEvent(handler: (e: RawHeaders) => void): () => void;
  /** Lets go: the dialplan continues with the action after `socket`. */
  exit(): Promise<Result<void, EslFailure>>;
  readonly closed: Promise<string>;
}

export interface GateServerOptions {
  host: string;
  port: number;
  logger: EslLogger;
  commandTimeoutMs?: number;
  onChannel(ch: GateChannel): void;
}

type Waiter = (f: EslFrame | null) => void;

class SocketChannel implements GateChannel {
  uuid = '';
  data: RawHeaders = {};
  private readonly replies: Waiter[] = [];
  private readonly handlers = new Set<(e: RawHeaders) => void>();
  private readonly parser = new FrameParser();
  private isClosed = false;
  readonly closed: Promise<string>;
  private markClosed!: (why: string) => void;

  constructor(
    private readonly sock: net.Socket,
    private readonly timeoutMs: number,
  ) {
    this.closed = new Promise((r) => {
      this.markClosed = r;
    });
    sock.on('data', (chunk) => {
      for (const f of this.parser.push(chunk)) this.frame(f);
    });
    sock.on('error', (e) => this.close(e.message));
    sock.on('close', () => this.close('FreeSWITCH closed the socket'));
  }

  private frame(f: EslFrame): void {
    const type = f.headers['Content-Type'];
    if (type === 'command/reply' || type === 'api/response') return this.replies.shift()?.(f);
    if (type === 'text/disconnect-notice') return this.close('call left the socket');
    const ev = parseEventBody(type, f.body);
    if (!ev || (this.uuid && ev['Unique-ID'] !== this.uuid)) return;
    for (const h of this.handlers) h(ev);
  }

  /** One command, one write, its reply within the timeout. */
  request(line: string, headers: Record<string, string> = {}): Promise<Result<EslFrame, EslFailure>> {
    if (this.isClosed)
      return Promise.resolve(err({ kind: 'disconnected', detail: `${line.split(' ')[0]}: the call left the socket` }));
    return new Promise((resolve) => {
      const timer = ioTimeout(this.timeoutMs, () => {
        // Keep the slot: the late reply must still be consumed in order.
        slot.late = true;
        resolve(err({ kind: 'timeout', detail: `${line.split(' ')[0]}: no reply within ${this.timeoutMs} ms` }));
      });
      const slot = Object.assign(
        (f: EslFrame | null) => {
          timer.clear();
          if (slot.late) return;
          if (!f) return resolve(err({ kind: 'disconnected', detail: 'the call left the socket' }));
          const reply = f.headers['Reply-Text'] ?? '';
          resolve(reply.startsWith('-ERR') ? err({ kind: 'rejected', detail: reply.trim() }) : ok(f));
        },
        { late: false },
      );
      this.replies.push(slot);
      this.sock.write(encodeCommand(line, headers));
    });
  }

  async send(app: string, arg: string, id: string = crypto.randomUUID()): Promise<Result<string, EslFailure>> {
    const r = await this.request(`sendmsg ${this.uuid}`, {
      'call-command': 'execute',
      'execute-app-name': app,
      'execute-app-arg': arg,
      'Event-UUID': id,
    });
    return r.ok ? ok(id) : r;
  }

  run(app: string, arg: string, timeoutMs = this.timeoutMs): Promise<Result<RawHeaders, EslFailure>> {
    return new Promise((resolve) => {
      let id: string | null = null;
      const early: RawHeaders[] = [];
      const finish = (r: Result<RawHeaders, EslFailure>): void => {
        timer.clear();
        off();
        void gone;
        resolve(r);
      };
      const match = (e: RawHeaders): boolean =>
        e['Event-Name'] === 'CHANNEL_EXECUTE_COMPLETE' && e['Application-UUID'] === id;
      const off = this.onEvent((e) => {
        if (id === null) early.push(e);
        else if (match(e)) finish(ok(e));
      });
      const timer = ioTimeout(timeoutMs, () =>
        finish(err({ kind: 'timeout', detail: `${app}: not complete within ${timeoutMs} ms` })),
      );
      const gone = this.closed.then((why) => finish(err({ kind: 'disconnected', detail: `${app}: ${why}` })));
      void this.send(app, arg).then((r) => {
        if (!r.ok) return finish(r);
        id = r.value;
        const done = early.find(match);
        if (done) finish(ok(done));
      });
    });
  }

  onEvent(handler: (e: RawHeaders) => void): () => void {
    this.handlers.add(handler);
    return () => {
      this.handlers.delete(handler);
    };
  }

  async exit(): Promise<Result<void, EslFailure>> {
    const r = await this.request('exit');
    this.sock.end();
    return r.ok || r.error.kind === 'disconnected' ? ok(undefined) : r;
  }

  close(why: string): void {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const w of this.replies.splice(0)) w(null);
    this.sock.destroy();
    this.markClosed(why);
  }
}

/** Handshake: connect -> CHANNEL_DATA, then this call's completions and digits as JSON. */
async function handshake(ch: SocketChannel): Promise<Result<void, EslFailure>> {
  const c = await ch.request('connect');
  if (!c.ok) return c;
  const uuid = c.value.headers['Unique-ID'];
  if (c.value.headers['Event-Name'] !== 'CHANNEL_DATA' || !uuid)
    return err({ kind: 'rejected', detail: 'connect: no CHANNEL_DATA in the reply' });
  ch.uuid = uuid;
  ch.data = c.value.headers;
  // No myevents and no filter: one round trip less per call; other calls' events are dropped by Unique-ID.
  const sub = await ch.request('event json CHANNEL_EXECUTE_COMPLETE DTMF');
  return sub.ok ? ok(undefined) : sub;
}

export class GateServer {
  private server: net.Server | null = null;
  private readonly open = new Set<SocketChannel>();

  constructor(private readonly opts: GateServerOptions) {}

  listen(): Promise<Result<number, string>> {
    return new Promise((resolve) => {
      const server = net.createServer((sock) => this.accept(sock));
      server.once('error', (e) => resolve(err(`cannot listen on ${this.opts.host}:${this.opts.port}: ${e.message}`)));
      server.listen(this.opts.port, this.opts.host, () => {
        this.server = server;
        resolve(ok((server.address() as net.AddressInfo).port));
      });
    });
  }

  private accept(sock: net.Socket): void {
    sock.setNoDelay(true);
    const ch = new SocketChannel(sock, this.opts.commandTimeoutMs ?? 2000);
    this.open.add(ch);
    void ch.closed.then(() => this.open.delete(ch));
    void handshake(ch).then((r) => {
      if (!r.ok) {
        this.opts.logger.warn(`outbound socket dropped: ${r.error.detail}`);
        return ch.close(r.error.detail);
      }
      try {
        this.opts.onChannel(ch);
      } catch (e) {
        this.opts.logger.error(`gate handler failed: ${(e as Error).message}`, { callId: ch.uuid });
      }
    });
  }

  async close(): Promise<void> {
    for (const ch of this.open) ch.close('stopping');
    const s = this.server;
    this.server = null;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }
}
