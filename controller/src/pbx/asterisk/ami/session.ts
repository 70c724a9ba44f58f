// One logged-in AMI TCP connection: correlates replies by ActionID, times out every action, and
// fails whatever is pending the moment the socket closes. Never throws, never hangs.
import { ioTimeout, type IoTimeout } from '../../../util/io-timeout';
import net from 'node:net';
import { err, ok, type Result } from '../../../util/result';
import { describeNetError } from '../../http-probe';
import type { PbxError } from '../../port';
import { amiDisconnected, amiReplyError, amiTimeout } from './errors';
import { LOGIN_EVENT_CLASSES } from './events';
import { AmiParser, formatAction, type AmiFields, type AmiMessage } from './wire';

export interface AmiEndpoint {
  host: string;
  port: number;
  user: string;
  secret: string;
}

interface Pending {
  action: string;
  timer: IoTimeout;
  resolve(r: Result<AmiMessage, PbxError>): void;
}

let nextSession = 0;

export class AmiSession {
  private readonly parser = new AmiParser();
  private readonly pending = new Map<string, Pending>();
  private seq = 0;
  private closedWhy: string | null = null;
  private readonly prefix = `callrec-${process.pid}-${++nextSession}-`;
  /** Resolves with the reason once the connection is gone. */
  readonly closed: Promise<string>;

  private constructor(
    private readonly sock: net.Socket,
    private readonly onEvent: (m: AmiMessage) => void,
    private readonly onBanner: (text: string) => void,
  ) {
    this.closed = new Promise((resolve) => {
      sock.on('close', () => resolve(this.close('connection closed by Asterisk')));
    });
    sock.on('error', (e) => {
      this.close(describeNetError(e));
    });
    sock.on('data', (chunk: Buffer) => this.receive(chunk.toString('utf8')));
  }

  /** Connects, waits for the banner and logs in; a rejected login or silence is an error. */
  /** `events`: the event classes to log in for (callrec's own: call,user). */
  static async open(
    ep: AmiEndpoint,
    onEvent: (m: AmiMessage) => void,
    timeoutMs: number,
    events = LOGIN_EVENT_CLASSES,
  ): Promise<Result<AmiSession, string>> {
    const sock = net.connect({ host: ep.host, port: ep.port });
    sock.setNoDelay(true);
    sock.setKeepAlive(true, 10000);
    let bannerSeen: (text: string) => void = () => {};
    const banner = new Promise<string>((resolve) => {
      bannerSeen = resolve;
    });
    const session = new AmiSession(sock, onEvent, (t) => bannerSeen(t));
    const first = await Promise.race([
      banner.then((t) =>
        t.startsWith('Asterisk Call Manager') ? null : `not an Asterisk manager (banner "${t.slice(0, 60)}")`,
      ),
      session.closed,
      delay(timeoutMs, `no banner within ${timeoutMs} ms`),
    ]);
    if (first !== null) return err(session.close(first));
    const login = await session.send('Login', { Username: ep.user, Secret: ep.secret, Events: events }, timeoutMs);
    if (!login.ok) {
      const why = login.error.kind === 'rejected' ? `login rejected for user ${ep.user}` : login.error.detail;
      return err(session.close(why));
    }
    return ok(session);
  }

  send(action: string, fields: AmiFields, timeoutMs: number): Promise<Result<AmiMessage, PbxError>> {
    if (this.closedWhy !== null) return Promise.resolve(err(amiDisconnected(action, this.closedWhy)));
    const id = `${this.prefix}${++this.seq}`;
    const wire = formatAction(action, id, fields);
    if (typeof wire !== 'string') return Promise.resolve(err({ kind: 'rejected', detail: `AMI ${wire.invalid}` }));
    return new Promise((resolve) => {
      const timer = ioTimeout(timeoutMs, () => {
        this.pending.delete(id);
        resolve(err(amiTimeout(action, timeoutMs)));
      });
      this.pending.set(id, { action, timer, resolve });
      this.sock.write(wire);
    });
  }

  /** Closes once; fails every pending action with the reason. Returns the reason. */
  close(why: string): string {
    if (this.closedWhy !== null) return this.closedWhy;
    this.closedWhy = why;
    for (const [id, p] of this.pending) {
      p.timer.clear();
      this.pending.delete(id);
      p.resolve(err(amiDisconnected(p.action, why)));
    }
    this.sock.destroy();
    return why;
  }

  private receive(chunk: string): void {
    for (const frame of this.parser.feed(chunk)) {
      if (frame.kind === 'banner') {
        this.onBanner(frame.text);
        continue;
      }
      const m = frame.message;
      const p = m.Response !== undefined && m.ActionID !== undefined ? this.pending.get(m.ActionID) : undefined;
      if (p && m.ActionID !== undefined) {
        this.pending.delete(m.ActionID);
        p.timer.clear();
        const failure = amiReplyError(p.action, m);
        p.resolve(failure ? err(failure) : ok(m));
      } else if (m.Event !== undefined) {
        this.onEvent(m);
      } // a reply to an action that already timed out: dropped
    }
  }
}

function delay(ms: number, value: string): Promise<string> {
  return new Promise((resolve) => {
    setTimeout(() => resolve(value), ms).unref();
  });
}
