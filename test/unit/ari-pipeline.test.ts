// The gate's continue goes out on a kept connection before send() returns (ari-pipeline.ts): the
// rest of the StasisStart's work then runs after the request is on its way.
import http from 'node:http';
import net from 'node:net';
import { AriPipeline } from '../../controller/src/pbx/asterisk/ari-pipeline';

describe('ARI pipeline', () => {
  let server: http.Server;
  let url: string;
  const seen: string[] = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      res.writeHead(204).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  it('writes on a kept connection before send returns, and answers in order', async () => {
    const pipe = new AriPipeline(url, 'u', 'p', { timeoutMs: 2000, maxIdle: 4 });
    const first = await pipe.send([{ method: 'POST', path: '/channels/a/continue' }]);
    expect(first[0]?.ok).toBe(true);
    const write = jest.spyOn(net.Socket.prototype, 'write');
    const pending = pipe.send([{ method: 'POST', path: '/channels/b/continue', query: { extension: 'skip' } }]);
    expect(write).toHaveBeenCalledTimes(1);
    expect(String(write.mock.calls[0]?.[0])).toMatch(/^POST \/ari\/channels\/b\/continue\?extension=skip HTTP\/1\.1/);
    write.mockRestore();
    expect((await pending)[0]?.ok).toBe(true);
    expect(seen).toEqual(['POST /ari/channels/a/continue', 'POST /ari/channels/b/continue?extension=skip']);
    pipe.close();
  });
});
