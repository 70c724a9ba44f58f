// The ARI events websocket, ours rather than ari-client's: ari-client throws inside its message
// handler on an event type its swagger does not know (an uncaught exception), and reconnects on
// its own behind our back. Here a bad frame is reported and dropped; a dead socket ends the
// connection so the reconnect loop (and the sweep) takes over.
import WebSocket from 'ws';

export interface EventSocketOptions {
  url: string;
  user: string;
  password: string;
  app: string;
  /** Every channel's events, not only those of channels in (or subscribed to) the application. */
  subscribeAll?: boolean;
  onEvent(raw: unknown): void;
  /** Frames to drop unparsed (events of channels nobody follows). */
  skip?(text: string): boolean;
  onBadFrame(detail: string): void;
  pingMs?: number;
}

export interface EventSocket {
  closed: Promise<string>;
  close(): void;
}

export function openEventSocket(o: EventSocketOptions, timeoutMs = 5000): Promise<EventSocket> {
  const u = new URL(o.url);
  const wsUrl = `${u.protocol === 'https:' ? 'wss' : 'ws'}://${u.host}${u.pathname.replace(/\/$/, '')}/ari/events?app=${encodeURIComponent(o.app)}&api_key=${encodeURIComponent(`${o.user}:${o.password}`)}${o.subscribeAll ? '&subscribeAll=true' : ''}`;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl, { handshakeTimeout: timeoutMs });
    let alive = true;
    let ping: NodeJS.Timeout | undefined;
    const closed = new Promise<string>((res) => {
      ws.on('close', (code) => {
        clearInterval(ping);
        res(`websocket closed (${code})`);
      });
      ws.on('error', (e) => {
        clearInterval(ping);
        res(`websocket error: ${e.message}`);
      });
    });
    ws.once('error', (e) => reject(new Error(`events websocket: ${e.message}`)));
    ws.on('unexpected-response', (_req, res) => reject(new Error(`events websocket: HTTP ${res.statusCode}`)));
    ws.on('pong', () => {
      alive = true;
    });
    ws.on('message', (data) => {
      const text = data.toString();
      if (o.skip?.(text)) return;
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch {
        o.onBadFrame(`not JSON: ${text.slice(0, 80)}`);
        return;
      }
      o.onEvent(raw);
    });
    ws.once('open', () => {
      ping = setInterval(() => {
        if (!alive) {
          ws.terminate();
          return;
        }
        alive = false;
        ws.ping();
      }, o.pingMs ?? 10000);
      resolve({
        closed,
        close: () => {
          clearInterval(ping);
          ws.close();
        },
      });
    });
  });
}
