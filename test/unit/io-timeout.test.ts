// A request whose answer arrived while the event loop was held up is not a timeout (issue 23: a
// CPU-starved controller failed calls whose answers were waiting in their sockets).
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { AriHttp } from '../../controller/src/pbx/asterisk/ari-http';

describe('a request timeout after the event loop was held up', () => {
  let server: ChildProcess;
  let url = '';
  beforeAll(async () => {
    // In its own process: it must answer while this one is blocked.
    server = spawn(process.execPath, [
      '-e',
      "require('http').createServer((q, s) => s.end('{}')).listen(0, '127.0.0.1', function () { console.log(this.address().port) })",
    ]);
    const port = await new Promise<string>((r) => server.stdout?.once('data', (d: Buffer) => r(d.toString().trim())));
    url = `http://127.0.0.1:${port}`;
  });
  afterAll(() => {
    server.kill();
  });

  const block = (ms: number) => {
    const end = Date.now() + ms;
    while (Date.now() < end);
  };

  it('reads the answer already in the socket before calling it a timeout', async () => {
    const http = new AriHttp(url, 'u', 'p', { timeoutMs: 100, maxSockets: 1 });
    expect((await http.request('GET', '/warm')).ok).toBe(true); // the kept-alive connection is open
    const answer = http.request('GET', '/x');
    await new Promise((r) => setImmediate(r)); // the request is on the wire
    block(400); // the answer arrives meanwhile; the timer expires meanwhile
    expect(await answer).toMatchObject({ ok: true });
    http.close();
  });

  it('still times out when no answer comes', async () => {
    const held: net.Socket[] = [];
    const silent = net.createServer((s) => void held.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const { port } = silent.address() as net.AddressInfo;
    const http = new AriHttp(`http://127.0.0.1:${port}`, 'u', 'p', { timeoutMs: 50, maxSockets: 1 });
    expect(await http.request('GET', '/x')).toMatchObject({ ok: false, error: { kind: 'timeout' } });
    http.close();
    for (const s of held) s.destroy();
    await new Promise((r) => silent.close(r));
  });
});
