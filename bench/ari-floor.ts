// The Asterisk gate benches' floors: ARI clients that answer each StasisStart with nothing but
// `continue` (the physical limit: the PBX's own round trip), or with the three requests of the
// old gate (subscribe, one POST /variables, continue), over a kept-alive agent.
// bench/gate.ts runs it against the simulator, bench/gate-asterisk-pbx.ts against a real Asterisk.
import http from 'node:http';
import WebSocket from 'ws';

export interface FloorOptions {
  url: string;
  user: string;
  password: string;
  app: string;
  /** The file the floor's decision names (never written: the bench's calls hang up). */
  file: string;
  /** continue: only `continue`; three: subscribe, variables, continue. */
  mode?: 'continue' | 'three';
}

/** Connects and answers every StasisStart of `app`; resolves once the websocket is open, with its close. */
export async function ariFloorClient(o: FloorOptions): Promise<() => void> {
  const u = new URL(o.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const auth = `Basic ${Buffer.from(`${o.user}:${o.password}`).toString('base64')}`;
  const call = (method: string, p: string, body?: unknown) =>
    new Promise<void>((resolve) => {
      const payload = body ? JSON.stringify(body) : undefined;
      const headers = { authorization: auth, ...(payload ? { 'content-type': 'application/json' } : {}) };
      const req = http.request({ host: u.hostname, port: u.port, method, path: `/ari${p}`, agent, headers }, (res) => {
        res.resume();
        res.on('end', () => resolve());
      });
      req.on('error', () => resolve());
      req.end(payload);
    });
  const ws = new WebSocket(
    `ws://${u.host}/ari/events?app=${o.app}&api_key=${encodeURIComponent(`${o.user}:${o.password}`)}`,
  );
  await new Promise((r, j) => {
    ws.once('open', r);
    ws.once('error', j);
  });
  ws.on('message', (d) => {
    const e = JSON.parse(d.toString()) as { type: string; channel?: { id: string } };
    if (e.type !== 'StasisStart' || !e.channel) return;
    const id = e.channel.id;
    if (o.mode === 'continue') return void call('POST', `/channels/${id}/continue`);
    void (async () => {
      await call('POST', `/applications/${o.app}/subscription?eventSource=channel:${id}`);
      await call('POST', `/channels/${id}/variables`, {
        variables: { CALLREC_ACTION: 'record', CALLREC_FILE: o.file, CALLREC_OPTIONS: '', CALLREC_DECIDED: '1' },
      });
      await call('POST', `/channels/${id}/continue`);
    })();
  });
  return () => {
    ws.close();
    agent.destroy();
  };
}
