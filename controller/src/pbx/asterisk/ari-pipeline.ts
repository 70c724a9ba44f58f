// Several ARI requests written in one go on one keep-alive connection (HTTP/1.1 pipelining).
// Asterisk's HTTP server reads a connection's requests one after the other (verified on 22.10:
// two pipelined GETs, two answers in order), so the gate can subscribe to a channel and let it
// go in one round trip, the subscription certainly in place before the channel leaves Stasis.
import net from 'node:net';
import type { PbxError } from '../port';
import { ioTimeout } from '../../util/io-timeout';
import { err, type Result } from '../../util/result';
import { toResult } from './ari-http';

export interface PipedRequest {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  query?: Record<string, string>;
  /** Statuses besides 404 that mean "no such resource" for this endpoint. */
  notFound?: readonly number[];
  /** A JSON body. */
  body?: unknown;
}

type Answer = Result<unknown, PbxError>;

interface Pending {
  what: string;
  notFound: readonly number[];
  resolve: (r: Answer) => void;
}

/** One connection: requests go out in order, answers are matched to them in order. */
class PipedConnection {
  private buf: Buffer = Buffer.alloc(0);
  private readonly pending: Pending[] = [];
  closed = false;

  constructor(private readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('error', () => this.fail('connection error'));
    socket.on('close', () => this.fail('connection closed'));
  }

  get idle(): boolean {
    return !this.closed && this.pending.length === 0;
  }

  send(text: string, items: Pending[]): void {
    this.pending.push(...items);
    this.socket.write(text);
  }

  destroy(): void {
    this.socket.destroy();
  }

  fail(why: string): void {
    this.closed = true;
    for (const p of this.pending.splice(0)) p.resolve(err({ kind: 'disconnected', detail: `${p.what}: ${why}` }));
  }

  private onData(d: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    for (;;) {
      const r = parseResponse(this.buf);
      if (r === null) return;
      if ('error' in r) {
        this.fail(`unreadable answer: ${r.error}`);
        return this.destroy();
      }
      this.buf = this.buf.subarray(r.used);
      const p = this.pending.shift();
      if (!p) {
        this.fail('an answer nobody asked for');
        return this.destroy();
      }
      p.resolve(toResult(p.what, r.status, r.body, p.notFound));
      if (r.close) {
        this.fail('the server closed the connection');
        return this.destroy();
      }
    }
  }
}

export class AriPipeline {
  private readonly pool: PipedConnection[] = [];
  private readonly host: string;
  private readonly port: number;
  private readonly prefix: string;
  private readonly auth: string;

  constructor(
    url: string,
    user: string,
    password: string,
    private readonly opts: { timeoutMs: number; maxIdle: number } = { timeoutMs: 2000, maxIdle: 8 },
  ) {
    const base = new URL(url);
    this.host = base.hostname;
    this.port = Number(base.port || 80);
    this.prefix = `${base.pathname.replace(/\/$/, '')}/ari`;
    this.auth = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  }

  /**
   * The answers, in the order of `reqs`; each request's own failure in its place. On a kept
   * connection the requests are written before this returns (the gate's continue goes out before
   * the rest of the StasisStart's work).
   */
  send(reqs: readonly PipedRequest[]): Promise<Answer[]> {
    for (let c = this.pool.pop(); c; c = this.pool.pop()) if (c.idle) return this.sendOn({ c }, reqs);
    return this.connection().then((conn) => this.sendOn(conn, reqs));
  }

  private async sendOn(
    conn: { c: PipedConnection } | { error: string },
    reqs: readonly PipedRequest[],
  ): Promise<Answer[]> {
    if ('error' in conn)
      return reqs.map((q) => err({ kind: 'disconnected', detail: `${q.method} ${q.path}: ${conn.error}` }));
    const answers: Array<Promise<Answer>> = [];
    const items = reqs.map((q): Pending => {
      let resolve: (r: Answer) => void = () => undefined;
      answers.push(new Promise<Answer>((r) => (resolve = r)));
      return { what: `${q.method} ${q.path}`, notFound: q.notFound ?? [], resolve: (a) => resolve(a) };
    });
    conn.c.send(reqs.map((q) => this.requestText(q)).join(''), items);
    const timer = ioTimeout(this.opts.timeoutMs, () => {
      conn.c.fail(`no answer within ${this.opts.timeoutMs} ms`);
      conn.c.destroy();
    });
    const out = await Promise.all(answers);
    timer.clear();
    if (conn.c.idle && this.pool.length < this.opts.maxIdle) this.pool.push(conn.c);
    else conn.c.destroy();
    return out;
  }

  close(): void {
    for (const c of this.pool.splice(0)) c.destroy();
  }

  private requestText(q: PipedRequest): string {
    const qs = new URLSearchParams(q.query ?? {}).toString();
    const body = q.body === undefined ? '' : JSON.stringify(q.body);
    const type = body ? 'Content-Type: application/json\r\n' : '';
    return (
      `${q.method} ${this.prefix}${q.path}${qs ? `?${qs}` : ''} HTTP/1.1\r\n` +
      `Host: ${this.host}:${this.port}\r\nAuthorization: ${this.auth}\r\n${type}` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
    );
  }

  /** A new connection (send() takes a kept one first). */
  private connection(): Promise<{ c: PipedConnection } | { error: string }> {
    return new Promise((resolve) => {
      const socket = net.connect({ host: this.host, port: this.port });
      const timer = setTimeout(() => {
        socket.destroy();
        resolve({ error: `no connection within ${this.opts.timeoutMs} ms` });
      }, this.opts.timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve({ c: new PipedConnection(socket) });
      });
      socket.once('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        resolve({ error: e.code ?? e.message });
      });
    });
  }
}

type Parsed = { status: number; body: string; used: number; close: boolean } | { error: string } | null;

/** One HTTP/1.1 response at the start of `buf`, or null while it is incomplete. */
export function parseResponse(buf: Buffer): Parsed {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return buf.length > 65536 ? { error: 'headers over 64 KiB' } : null;
  const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
  if (!m) return { error: `status line ${JSON.stringify((lines[0] ?? '').slice(0, 60))}` };
  const headers = new Map<string, string>();
  for (const l of lines.slice(1)) {
    const i = l.indexOf(':');
    if (i > 0) headers.set(l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim());
  }
  const close = (headers.get('connection') ?? '').toLowerCase() === 'close';
  const start = end + 4;
  if ((headers.get('transfer-encoding') ?? '').toLowerCase() === 'chunked') return chunked(buf, start, m, close);
  const len = Number(headers.get('content-length') ?? '0');
  if (!Number.isInteger(len) || len < 0) return { error: 'bad Content-Length' };
  if (buf.length < start + len) return null;
  return { status: Number(m[1]), body: buf.subarray(start, start + len).toString('utf8'), used: start + len, close };
}

function chunked(buf: Buffer, start: number, m: RegExpExecArray, close: boolean): Parsed {
  const parts: Buffer[] = [];
  let at = start;
  for (;;) {
    const eol = buf.indexOf('\r\n', at);
    if (eol < 0) return null;
    const size = parseInt(buf.subarray(at, eol).toString('latin1'), 16);
    if (!Number.isFinite(size)) return { error: 'bad chunk size' };
    if (buf.length < eol + 2 + size + 2) return null;
    if (size === 0) {
      const trailerEnd = buf.indexOf('\r\n\r\n', eol);
      const used = trailerEnd === eol ? eol + 4 : trailerEnd < 0 ? -1 : trailerEnd + 4;
      if (used < 0) return null;
      return { status: Number(m[1]), body: Buffer.concat(parts).toString('utf8'), used, close };
    }
    parts.push(buf.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}
