// An AMI server on 127.0.0.1:0 that speaks the wire as captured from Asterisk 22 and replays a
// q6 trace (test/fixtures/asterisk-22/traces/*.ami.jsonl): each action gets the trace's next
// response (with the caller's ActionID) followed by the events recorded after it.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { AmiParser, type AmiMessage } from '../../../controller/src/pbx/asterisk/ami/wire';
import { ASTERISK_FIXTURES } from './traces';

type TraceRecord = Record<string, string | number>;

export function loadAmiTrace(name: string): TraceRecord[] {
  const file = path.join(ASTERISK_FIXTURES, 'traces', `${name}.ami.jsonl`);
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as TraceRecord);
}

/** Serializes a trace record as Asterisk writes it (keys in captured order, CRLF, blank line). */
export function toWire(rec: TraceRecord, overrides: Record<string, string> = {}): string {
  const lines: string[] = [];
  for (const [k, v] of Object.entries({ ...rec, ...overrides })) if (!k.startsWith('_')) lines.push(`${k}: ${v}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

export interface AmiSimOptions {
  trace: string;
  users?: Record<string, string>;
  /** Split every write into pieces of this many bytes, each in its own TCP write. */
  chunkBytes?: number;
}

export class AmiSim {
  readonly actions: AmiMessage[] = [];
  /** Actions that get no reply at all (the timeout case). */
  readonly silent = new Set<string>();
  /** Channels that exist; actions on others answer "No such channel" as Asterisk does. */
  readonly channels = new Set<string>();
  private readonly records: TraceRecord[];
  private cursor = 1;
  private readonly sockets = new Set<net.Socket>();
  private server: net.Server | null = null;
  connections = 0;

  constructor(private readonly opts: AmiSimOptions) {
    this.records = loadAmiTrace(opts.trace);
    for (const r of this.records) if (typeof r.Channel === 'string') this.channels.add(r.Channel);
  }

  get port(): number {
    return (this.server?.address() as net.AddressInfo).port;
  }

  async listen(port = 0): Promise<void> {
    this.server = net.createServer((s) => this.accept(s));
    await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', resolve));
  }

  /** Drops every client connection (Asterisk restarting, a network cut). */
  dropAll(): void {
    for (const s of this.sockets) s.destroy();
  }

  async close(): Promise<void> {
    this.dropAll();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = null;
  }

  /** Sends an event to every logged-in client, as a trace record. */
  emit(rec: TraceRecord): void {
    for (const s of this.sockets) this.write(s, toWire(rec));
  }

  private accept(sock: net.Socket): void {
    this.connections++;
    const banner = String(this.records[0]?._line ?? 'Asterisk Call Manager/11.0.0');
    const parser = new AmiParser(true);
    let loggedIn = false;
    sock.on('error', () => {});
    sock.on('close', () => this.sockets.delete(sock));
    sock.on('data', (chunk: Buffer) => {
      for (const f of parser.feed(chunk.toString('utf8'))) {
        if (f.kind !== 'message') continue;
        const m = f.message;
        this.actions.push(m);
        if (this.silent.has(m.Action ?? '')) continue;
        if (m.Action === 'Login') loggedIn = this.login(sock, m);
        else if (loggedIn) this.reply(sock, m);
      }
    });
    this.write(sock, `${banner}\r\n`);
  }

  private login(sock: net.Socket, m: AmiMessage): boolean {
    const users = this.opts.users ?? { callrec: 'callrec' };
    const id = m.ActionID ?? '';
    if (users[m.Username ?? ''] !== m.Secret) {
      this.write(sock, toWire({ Response: 'Error', ActionID: id, Message: 'Authentication failed' }));
      return false;
    }
    this.sockets.add(sock);
    this.write(sock, toWire(this.records[0] ?? { Response: 'Success' }, { ActionID: id }));
    return true;
  }

  private reply(sock: net.Socket, m: AmiMessage): void {
    const id = m.ActionID ?? '';
    if (!this.channels.has(m.Channel ?? '')) {
      this.write(sock, toWire({ Response: 'Error', ActionID: id, Message: 'No such channel' }));
      return;
    }
    // The response and the events after it go out in one write: a multi-message chunk.
    let out = '';
    let i = this.records.findIndex((r, n) => n >= this.cursor && r.Response !== undefined);
    if (i < 0) i = this.records.length;
    const events = (from: number) => {
      for (; from < this.records.length && this.records[from]?.Response === undefined; from++)
        out += toWire(this.records[from] as TraceRecord);
      return from;
    };
    if (this.cursor === 1) this.cursor = events(1); // events recorded right after login
    if (i < this.records.length) out += toWire(this.records[i] as TraceRecord, { ActionID: id });
    this.cursor = events(i + 1);
    this.write(sock, out);
  }

  private readonly queues = new WeakMap<net.Socket, Promise<void>>();

  /** Writes in order per socket; with chunkBytes each piece is its own TCP write, 1 ms apart. */
  private write(sock: net.Socket, data: string): void {
    const n = this.opts.chunkBytes;
    if (!n) {
      sock.write(data);
      return;
    }
    const prev = this.queues.get(sock) ?? Promise.resolve();
    this.queues.set(
      sock,
      prev.then(async () => {
        for (let at = 0; at < data.length && !sock.destroyed; at += n) {
          sock.write(data.slice(at, at + n));
          await new Promise((r) => setTimeout(r, 1));
        }
      }),
    );
  }
}
