// One receiver that hangs must not delay another's deliveries: each receiver has its own lane.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { WebhookWorker } from '../../controller/src/webhooks/worker';
import { createLogger } from '../../controller/src/util/logger';
import { startApi, type ApiHarness } from '../helpers/api';
import { STORE_KINDS } from '../helpers/db';

async function server(handler: http.RequestListener): Promise<{ url: string; close(): Promise<void> }> {
  const s = http.createServer(handler);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    close: () =>
      new Promise((r) => {
        s.close(() => r());
        s.closeAllConnections();
      }),
  };
}

describe.each(STORE_KINDS)('webhook receivers on %s', (kind) => {
  let h: ApiHarness;
  let worker: WebhookWorker;
  const fastAt = new Map<number, number>();
  let hanging: Awaited<ReturnType<typeof server>>;
  let fast: Awaited<ReturnType<typeof server>>;
  let hangingHits = 0;

  beforeAll(async () => {
    hanging = await server(() => {
      hangingHits += 1; /* never answers */
    });
    fast = await server((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        fastAt.set((JSON.parse(body) as { recording: { id: number } }).recording.id, Date.now());
        res.end();
      });
    });
    const logger = createLogger({ level: 'error', format: 'json', stream: new PassThrough() });
    h = await startApi(kind, (store) => {
      worker = new WebhookWorker(
        store,
        {
          node: 'pbx1',
          urls: [hanging.url, fast.url],
          secret: '',
          maxAttempts: 3,
          retryBaseMs: 60_000,
          timeoutMs: 4000,
          pollMs: 20,
          batch: 5,
        },
        logger,
      );
      return { webhooks: worker };
    });
    worker.start();
  });
  afterAll(async () => {
    await worker.stop();
    await h.close();
    await hanging.close();
    await fast.close();
  });

  const until = async (check: () => boolean, ms: number) => {
    const end = Date.now() + ms;
    while (!check()) {
      if (Date.now() > end) throw new Error('timed out waiting');
      await new Promise((r) => setTimeout(r, 10));
    }
  };

  it('delivers to a healthy receiver at once while another hangs, however many are queued for it', async () => {
    const first = await h.addRecording();
    await worker.publish(first.id, 'recording.completed');
    await until(() => fastAt.has(first.id), 2000);
    // More than a batch of deliveries queued while the hanging receiver holds its lane.
    const later: Array<{ id: number }> = [];
    for (let i = 0; i < 8; i += 1) later.push(await h.addRecording());
    const sent = Date.now();
    for (const r of later) await worker.publish(r.id, 'recording.completed');
    await until(() => later.every((r) => fastAt.has(r.id)), 2000);
    expect(Math.max(...later.map((r) => (fastAt.get(r.id) as number) - sent))).toBeLessThan(1500);
    expect(hangingHits).toBeGreaterThanOrEqual(1);
  });
});
