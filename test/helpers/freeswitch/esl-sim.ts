// An ESL server that speaks FreeSWITCH 1.10.12's wire as captured in the fixtures: auth/request,
// command/reply, api/response and text/event-json frames with Content-Length. It honours the
// subscription (named events; CUSTOM followed by subclasses), so a wrong subscription loses events
// here as it would on the switch. Replies to api commands come from uuid-record.commands.jsonl.
import net from 'node:net';
import { encodeFrame, FrameParser, type EslFrame } from '../../../controller/src/pbx/freeswitch/esl/frame';
import { fsCommands } from './traces';

export type ApiHandler = (cmd: string) => string | null | undefined;

export interface EslSimOptions {
  password?: string;
  /** Consulted before the recorded replies; return a body, or null/undefined to fall through. */
  api?: ApiHandler;
  /** Command prefixes answered only after this many ms; later replies wait behind them, in order. */
  slow?: Record<string, number>;
}

interface Client {
  sock: net.Socket;
  /** Replies leave in command order, as FreeSWITCH processes one connection's commands serially. */
  queue: Promise<void>;
  authed: boolean;
  events: Set<string>;
  subclasses: Set<string>;
}

export interface EslSim {
  port: number;
  /** Every command line received, in order (auth hidden). */
  commands: string[];
  clients(): number;
  /** Sends raw event-json bodies (exact fixture text) to subscribed clients, in one write each batch. */
  emit(jsonLines: string[]): void;
  /** Resolves when n clients have authenticated and subscribed. */
  waitForSubscribers(n?: number, timeoutMs?: number): Promise<void>;
  dropClients(): void;
  /** While on, new connections are closed at once (the switch down or restarting). */
  refuse(on: boolean): void;
  close(): Promise<void>;
  setApi(handler: ApiHandler | undefined): void;
}

const reply = (text: string, extra: Array<[string, string]> = []): string =>
  encodeFrame([['Content-Type', 'command/reply'], ['Reply-Text', text], ...extra]);

/** Recorded replies: `api <cmd>` -> body, exactly as the switch answered. */
function recordedReplies(): Map<string, string> {
  const m = new Map<string, string>();
  for (const c of fsCommands()) if (c.kind === 'api' && c.reply !== undefined) m.set(c.cmd, c.reply);
  return m;
}

export async function startEslSim(opts: EslSimOptions = {}): Promise<EslSim> {
  const password = opts.password ?? 'ClueCon';
  const recorded = recordedReplies();
  const clients = new Set<Client>();
  const commands: string[] = [];
  let api = opts.api;
  let waiters: Array<() => void> = [];
  let refusing = false;

  const subscribed = () => [...clients].filter((c) => c.authed && c.events.size + c.subclasses.size > 0).length;

  function answer(c: Client, f: EslFrame): void {
    const line = f.command;
    const [verb = '', ...rest] = line.split(' ');
    if (verb === 'auth') {
      c.authed = rest.join(' ') === password;
      c.sock.write(reply(c.authed ? '+OK accepted' : '-ERR invalid'));
      if (!c.authed) c.sock.end();
      return;
    }
    if (!c.authed) {
      c.sock.write(reply('-ERR command not found'));
      return;
    }
    if (verb === 'event') return subscribe(c, rest);
    if (verb === 'nixevent') {
      for (const n of rest) c.events.delete(n.toUpperCase());
      c.sock.write(reply('+OK events nixed'));
      return;
    }
    if (verb === 'api') {
      const cmd = rest.join(' ');
      const body =
        api?.(cmd) ??
        recorded.get(cmd) ??
        (cmd === 'status' ? 'UP 0 years, 0 days\n' : `-ERR ${rest[0] ?? ''} Command not found!\n`);
      c.sock.write(encodeFrame([['Content-Type', 'api/response']], body, false));
      return;
    }
    if (verb === 'bgapi') return bgapi(c, rest.join(' ').trim(), f.headers['Job-UUID'] ?? 'sim-job');
    if (verb === 'exit') {
      c.sock.write(reply('+OK bye'));
      c.sock.end(
        encodeFrame(
          [
            ['Content-Type', 'text/disconnect-notice'],
            ['Content-Disposition', 'disconnect'],
          ],
          'Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n',
        ),
      );
      return;
    }
    c.sock.write(reply('+OK'));
  }

  function subscribe(c: Client, words: string[]): void {
    const [format, ...names] = words;
    let custom = false;
    for (const n of names) {
      if (n === 'CUSTOM') {
        custom = true;
        continue;
      }
      (custom ? c.subclasses : c.events).add(custom ? n : n.toUpperCase());
    }
    c.sock.write(reply(`+OK event listener enabled ${format ?? 'plain'}`));
    if (subscribed() > 0) {
      const w = waiters;
      waiters = [];
      w.forEach((f) => f());
    }
  }

  function bgapi(c: Client, cmd: string, job: string): void {
    c.sock.write(reply(`+OK Job-UUID: ${job}`, [['Job-UUID', job]]));
    const body = api?.(cmd) ?? recorded.get(cmd) ?? '+OK\n';
    const ev = JSON.stringify({
      'Event-Name': 'BACKGROUND_JOB',
      'Event-Sequence': '1',
      'Job-UUID': job,
      'Job-Command': cmd,
      'Content-Length': String(Buffer.byteLength(body)),
      _body: body,
    });
    if (c.events.has('BACKGROUND_JOB')) c.sock.write(eventFrame(ev));
  }

  const server = net.createServer((sock) => {
    if (refusing) {
      sock.destroy();
      return;
    }
    sock.setNoDelay(true);
    const c: Client = { sock, queue: Promise.resolve(), authed: false, events: new Set(), subclasses: new Set() };
    clients.add(c);
    const parser = new FrameParser();
    sock.on('data', (chunk) => {
      for (const f of parser.push(chunk)) {
        if (!f.command.startsWith('auth ')) commands.push(f.command);
        const delay = Object.entries(opts.slow ?? {}).find(([p]) => f.command.startsWith(p))?.[1] ?? 0;
        c.queue = c.queue
          .then(() => (delay > 0 ? new Promise((r) => setTimeout(r, delay)) : undefined))
          .then(() => {
            if (!sock.destroyed) answer(c, f);
          });
      }
    });
    sock.on('error', () => undefined);
    sock.on('close', () => clients.delete(c));
    sock.write(encodeFrame([['Content-Type', 'auth/request']]));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    port: (server.address() as net.AddressInfo).port,
    commands,
    clients: () => clients.size,
    emit(lines) {
      for (const c of clients) {
        if (!c.authed) continue;
        const frames = lines
          .filter((l) => wants(c, l))
          .map(eventFrame)
          .join('');
        if (frames) c.sock.write(frames);
      }
    },
    waitForSubscribers(n = 1, timeoutMs = 3000) {
      return new Promise((resolve, reject) => {
        const t = setTimeout(
          () => reject(new Error(`no ${n} subscribed ESL client(s) within ${timeoutMs} ms`)),
          timeoutMs,
        );
        const check = (): void => {
          if (subscribed() >= n) {
            clearTimeout(t);
            resolve();
          } else waiters.push(check);
        };
        check();
      });
    },
    dropClients() {
      for (const c of clients) c.sock.destroy();
    },
    refuse(on) {
      refusing = on;
    },
    setApi(h) {
      api = h;
    },
    close: () =>
      new Promise((resolve) => {
        for (const c of clients) c.sock.destroy();
        server.close(() => resolve());
      }),
  };
}

export function eventFrame(json: string): string {
  return encodeFrame([['Content-Type', 'text/event-json']], json);
}

function wants(c: Client, json: string): boolean {
  const name = /"Event-Name":"([^"]+)"/.exec(json)?.[1] ?? '';
  if (name === 'CUSTOM') return c.subclasses.has(/"Event-Subclass":"([^"]+)"/.exec(json)?.[1] ?? '');
  return c.events.has(name);
}
