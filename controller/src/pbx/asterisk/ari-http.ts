// ARI REST with the limits ari-client lacks: every request has its own timeout (ari-client's
// promise never settles when Asterisk resets a connection), connections are capped by a
// keep-alive agent with few sockets (Asterisk allows 100 HTTP sessions and a backlog of 10), and
// failures map to PbxError by status code in this one place.
import http from 'node:http';
import type { PbxError } from '../port';
import { ioTimeout } from '../../util/io-timeout';
import { err, ok, type Result } from '../../util/result';

export interface AriHttpOptions {
  timeoutMs: number;
  maxSockets: number;
}

export class AriHttp {
  private readonly agent: http.Agent;
  private readonly base: URL;
  private readonly auth: string;

  constructor(
    url: string,
    user: string,
    password: string,
    private readonly opts: AriHttpOptions = { timeoutMs: 2000, maxSockets: 8 },
  ) {
    this.base = new URL(url);
    this.auth = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    this.agent = new http.Agent({ keepAlive: true, maxSockets: opts.maxSockets });
  }

  /** `notFound`: more statuses that mean "the resource named does not exist" for this endpoint (besides 404). */
  request(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    query: Record<string, string> = {},
    body?: unknown,
    notFound: readonly number[] = [],
  ): Promise<Result<unknown, PbxError>> {
    return this.attempt(method, path, query, body, notFound, true);
  }

  /**
   * One try. A kept-alive connection the server closed while idle fails the next request sent on
   * it before any answer (ECONNRESET, EPIPE): the server never read it, so it is sent again once,
   * (seen once in 3,000 soak calls: a call lost to a reset).
   */
  private attempt(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    query: Record<string, string>,
    body: unknown,
    notFound: readonly number[],
    mayRetry: boolean,
  ): Promise<Result<unknown, PbxError>> {
    const qs = new URLSearchParams(query).toString();
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const what = `${method} ${path}`;
    return new Promise((resolve) => {
      const req = http.request(
        {
          host: this.base.hostname,
          port: this.base.port || 80,
          method,
          agent: this.agent,
          path: `${this.base.pathname.replace(/\/$/, '')}/ari${path}${qs ? `?${qs}` : ''}`,
          headers: {
            authorization: this.auth,
            ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
          },
        },
        (res) => {
          answered = true;
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', (e) => done(err({ kind: 'disconnected', detail: `${what}: ${e.message}` })));
          res.on('end', () =>
            done(toResult(what, res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'), notFound)),
          );
        },
      );
      const timer = ioTimeout(this.opts.timeoutMs, () => {
        done(err({ kind: 'timeout', detail: `${what}: no answer within ${this.opts.timeoutMs} ms` }));
        req.destroy();
      });
      let settled = false;
      let answered = false;
      function done(r: Result<unknown, PbxError> | Promise<Result<unknown, PbxError>>): void {
        if (settled) return;
        settled = true;
        timer.clear();
        resolve(r);
      }
      req.on('error', (e: NodeJS.ErrnoException) => {
        if (mayRetry && !answered && req.reusedSocket && (e.code === 'ECONNRESET' || e.code === 'EPIPE'))
          return done(this.attempt(method, path, query, body, notFound, false));
        done(err({ kind: 'disconnected', detail: `${what}: ${e.code ?? e.message}` }));
      });
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

export function toResult(
  what: string,
  status: number,
  text: string,
  notFound: readonly number[],
): Result<unknown, PbxError> {
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = text;
  }
  if (status >= 200 && status < 300) return ok(data);
  const message =
    typeof data === 'object' && data && 'message' in data
      ? String((data as { message: unknown }).message)
      : text.slice(0, 200);
  const kind =
    status === 404 || notFound.includes(status)
      ? 'not-found'
      : status === 401 || status === 403
        ? 'disconnected'
        : 'rejected';
  return err({ kind, detail: `${what}: ${status} ${message}` });
}
