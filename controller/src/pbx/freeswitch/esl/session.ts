// One authenticated inbound ESL connection over modesl 1.2.1, typed, with a timeout on every
// command and results instead of throws. Reconnection lives in inbound.ts.
import { ioTimeout } from '../../../util/io-timeout';
import { Connection, type Event } from 'modesl';
import type { Logger } from '../../../util/logger';
import { err, ok, type Result } from '../../../util/result';

export interface EslEvent {
  name: string;
  seq: number;
  headers: Readonly<Record<string, string>>;
  body: string;
}

export type EslFailureKind = 'timeout' | 'disconnected' | 'rejected';
export interface EslFailure {
  kind: EslFailureKind;
  detail: string;
}

/** An `api` command on a connection: what recorders and the sweep are given. */
export type EslApi = (command: string) => Promise<Result<string, EslFailure>>;

/** Injected: the controller's winston logger, or silentLogger() in tests. */
export type EslLogger = Logger;

export interface EslSessionOptions {
  host: string;
  port: number;
  password: string;
  logger: EslLogger;
  connectTimeoutMs?: number;
  commandTimeoutMs?: number;
}

/**
 * `event json A B CUSTOM x::y`: every word after CUSTOM is read as a subclass name, so CUSTOM
 * goes last, followed by its subclasses, or not at all (verified on FreeSWITCH 1.10.12).
 */
export function subscriptionCommand(events: readonly string[], subclasses: readonly string[] = []): string {
  const names = [...new Set(events.map((e) => e.trim().toUpperCase()).filter((e) => e !== '' && e !== 'CUSTOM'))];
  if (names.includes('ALL')) throw new Error('subscribe to named events, not ALL');
  const custom = subclasses.length > 0 ? ['CUSTOM', ...subclasses] : [];
  return ['event', 'json', ...names, ...custom].join(' ');
}

function toEslEvent(e: Event): EslEvent | null {
  const headers: Record<string, string> = {};
  for (const h of e.headers) headers[h.name] = String(h.value);
  const name = headers['Event-Name'];
  const seq = Number.parseInt(headers['Event-Sequence'] ?? '', 10);
  if (!name || !Number.isFinite(seq)) return null;
  return { name, seq, headers, body: e.getBody() ?? '' };
}

export class EslSession {
  private readonly pending = new Set<(r: Result<never, EslFailure>) => void>();
  private readonly handlers = new Set<(e: EslEvent) => void>();
  private isClosed = false;
  private timeouts = 0;
  readonly closed: Promise<string>;
  private markClosed!: (why: string) => void;

  private constructor(
    private readonly conn: Connection,
    private readonly opts: EslSessionOptions,
  ) {
    this.closed = new Promise((resolve) => {
      this.markClosed = resolve;
    });
    // modesl reports an unparsable event body as an 'error' too: drop that event, keep the link.
    conn.on('error', (e) =>
      e instanceof SyntaxError
        ? this.opts.logger.warn(`dropped an unparsable ESL event: ${e.message}`)
        : this.close(e.message),
    );
    conn.on('esl::end', () => this.close('connection closed by FreeSWITCH'));
    conn.on('esl::event::disconnect::notice', () => this.close('FreeSWITCH said goodbye'));
    conn.on('esl::event::**', (e, headers) => {
      const type = headers?.['Content-Type'];
      if (type !== 'text/event-json' && type !== 'text/event-plain') return;
      const ev = toEslEvent(e);
      if (!ev) {
        this.opts.logger.warn('dropped an ESL event without Event-Name/Event-Sequence');
        return;
      }
      for (const h of this.handlers) {
        try {
          h(ev);
        } catch (x) {
          this.opts.logger.error(`ESL event handler failed: ${(x as Error).message}`, { event: ev.name });
        }
      }
    });
  }

  /** Connects and authenticates; never throws, always settles within connectTimeoutMs. */
  static connect(opts: EslSessionOptions): Promise<Result<EslSession, EslFailure>> {
    const ms = opts.connectTimeoutMs ?? 3000;
    return new Promise((resolve) => {
      const conn = new Connection(opts.host, opts.port, opts.password);
      // modesl writes every command as several small writes: with Nagle on, each command waits for
      // the peer's delayed ACK (~42 ms measured on FreeSWITCH 1.10.12; 0.25 ms with NoDelay).
      conn.socket?.setNoDelay(true);
      let settled = false;
      const fail = (detail: string): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        conn.socket?.destroy();
        resolve(err({ kind: detail === 'password rejected' ? 'rejected' : 'disconnected', detail }));
      };
      const timer = setTimeout(() => fail(`no ESL greeting within ${ms} ms`), ms);
      conn.on('error', (e) => fail(e.message));
      conn.on('esl::end', () => fail('connection closed by peer'));
      conn.on('esl::event::auth::fail', () => fail('password rejected'));
      conn.on('esl::ready', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(ok(new EslSession(conn, opts)));
      });
    });
  }

  get isOpen(): boolean {
    return !this.isClosed;
  }

  onEvent(handler: (e: EslEvent) => void): () => void {
    this.handlers.add(handler);
    return () => {
      this.handlers.delete(handler);
    };
  }

  /** `api <command>`: the response body (FreeSWITCH's own +OK/-ERR text is the caller's to judge). */
  api(command: string, timeoutMs?: number): Promise<Result<string, EslFailure>> {
    return this.call(`api ${command}`, timeoutMs, (done) => this.conn.api(command, (e) => done(ok(e.getBody() ?? ''))));
  }

  /** `bgapi <command>`: the BACKGROUND_JOB body. */
  bgapi(command: string, timeoutMs?: number): Promise<Result<string, EslFailure>> {
    return this.call(`bgapi ${command}`, timeoutMs, (done) =>
      this.conn.bgapi(command, (e) => done(ok(e.getBody() ?? ''))),
    );
  }

  /** A plain command (event, filter, ...): its Reply-Text; -ERR is `rejected`. */
  command(line: string, timeoutMs?: number): Promise<Result<string, EslFailure>> {
    return this.call(line, timeoutMs, (done) =>
      this.conn.sendRecv(line, (e) => {
        const reply = String(e.getHeader('Reply-Text') ?? '');
        done(reply.startsWith('-ERR') ? err({ kind: 'rejected', detail: `${line}: ${reply}` }) : ok(reply));
      }),
    );
  }

  subscribe(events: readonly string[], subclasses: readonly string[] = []): Promise<Result<string, EslFailure>> {
    return this.command(subscriptionCommand(events, subclasses));
  }

  private call<T>(
    what: string,
    timeoutMs: number | undefined,
    send: (done: (r: Result<T, EslFailure>) => void) => void,
  ): Promise<Result<T, EslFailure>> {
    if (this.isClosed) return Promise.resolve(err({ kind: 'disconnected', detail: `${verb(what)}: not connected` }));
    const ms = timeoutMs ?? this.opts.commandTimeoutMs ?? 2000;
    return new Promise((resolve) => {
      let settled = false;
      const done = (r: Result<T, EslFailure>): void => {
        if (settled) return;
        settled = true;
        this.noteTimeout(!r.ok && r.error.kind === 'timeout');
        timer.clear();
        this.pending.delete(done);
        resolve(r);
      };
      // A late reply still pops modesl's FIFO callback queue, so replies stay matched after a timeout.
      const timer = ioTimeout(ms, () =>
        done(err({ kind: 'timeout', detail: `${verb(what)}: no reply within ${ms} ms` })),
      );
      this.pending.add(done);
      try {
        send(done);
      } catch (e) {
        done(err({ kind: 'disconnected', detail: `${verb(what)}: ${(e as Error).message}` }));
      }
    });
  }

  /** A switch that stops answering altogether leaves modesl's reply queue misaligned: start over. */
  private noteTimeout(timedOut: boolean): void {
    this.timeouts = timedOut ? this.timeouts + 1 : 0;
    if (this.timeouts >= 3) this.close('FreeSWITCH stopped answering commands');
  }

  close(why = 'closed by callrec'): void {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const done of [...this.pending]) done(err({ kind: 'disconnected', detail: why }));
    this.conn.socket?.destroy();
    this.markClosed(why);
  }
}

/** The command's verb and first argument, for errors: never the whole line (it may hold paths). */
function verb(line: string): string {
  return line.split(' ').slice(0, 2).join(' ');
}
