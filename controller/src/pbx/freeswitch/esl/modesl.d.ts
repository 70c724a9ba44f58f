// The part of modesl 1.2.1 callrec uses, typed by reading its lib/esl/*.js (the package ships no
// types). Values are strings except Content-Length, which its parser turns into a number.
declare module 'modesl' {
  import type { Socket } from 'node:net';

  export class Event {
    constructor(headers: Record<string, string | number>, body?: string);
    getHeader(name: string): string | number | null;
    getBody(): string;
    getType(): string;
    headers: Array<{ name: string; value: string | number }>;
  }

  export class Connection {
    /** Inbound: connects at once; the socket exists before the constructor returns. */
    constructor(host: string, port: number, password: string, ready?: () => void);
    /** Outbound: FreeSWITCH connected to us; sends `connect` then subscribes. */
    constructor(socket: Socket, ready?: () => void);
    socket: Socket | null;
    on(event: 'error', fn: (e: Error) => void): this;
    on(event: 'esl::end' | 'esl::ready' | 'esl::connect', fn: () => void): this;
    on(event: string, fn: (e: Event, headers: Record<string, string | number>, body: string) => void): this;
    once(event: string, fn: (e: Event) => void): this;
    removeAllListeners(): this;
    sendRecv(command: string, cb?: (e: Event) => void): void;
    sendRecv(command: string, args: Record<string, string>, cb?: (e: Event) => void): void;
    api(command: string, cb: (e: Event) => void): void;
    bgapi(command: string, cb: (e: Event) => void): void;
    execute(app: string, arg: string, cb: (e: Event) => void): string;
    getInfo(): Event | null;
    disconnect(): void;
  }

  export interface ServerOptions {
    port?: number;
    host?: string;
    server?: import('node:net').Server;
    myevents?: boolean;
  }
  export class Server {
    constructor(opts: ServerOptions, ready?: () => void);
    server: import('node:net').Server;
    on(event: 'connection::ready' | 'connection::open', fn: (conn: Connection, id: string) => void): this;
    on(event: 'connection::close', fn: (conn: Connection, id: string) => void): this;
    close(cb?: () => void): void;
  }
}
