// A kept-alive connection the server dropped while idle: the request sent on it is sent again
// once, not failed (issue 23 soak: a call lost to ECONNRESET).
import net from 'node:net';
import { AriHttp } from '../../controller/src/pbx/asterisk/ari-http';

/** Answers the first request of each connection; resets the connection at its second. */
async function resettingServer(): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    connections++;
    sockets.add(s);
    let served = 0;
    s.on('data', (d) => {
      if (!d.toString().includes('\r\n\r\n')) return;
      if (served++ === 0) s.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}');
      else s.resetAndDestroy();
    });
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => connections,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

describe('ARI requests on a connection the server reset', () => {
  it('are sent again once, on another connection', async () => {
    const srv = await resettingServer();
    const http = new AriHttp(srv.url, 'u', 'p', { timeoutMs: 1000, maxSockets: 1 });
    try {
      expect((await http.request('POST', '/a')).ok).toBe(true);
      expect(await http.request('POST', '/b')).toMatchObject({ ok: true });
      expect(srv.connections()).toBe(2);
    } finally {
      http.close();
      await srv.close();
    }
  });
});
