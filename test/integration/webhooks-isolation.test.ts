// One receiver that hangs must not delay another's deliveries: each receiver has its own lane.
import { PassThrough } from 'node:stream';
import type { WebhookWorker } from '../../controller/src/webhooks/worker';
import { createLogger } from '../../controller/src/util/logger';
import type { ApiHarness } from '../helpers/api';
import { STORE_KINDS } from '../helpers/db';
import { localReceiver, startWebhookApi } from '../helpers/webhooks';

describe.each(STORE_KINDS)('webhook receivers on %s', (kind) => {
  let h: ApiHarness;
  let worker: WebhookWorker;
  let stop: () => Promise<void>;
  const fastAt = new Map<number, number>();
  let hanging: Awaited<ReturnType<typeof localReceiver>>;
  let fast: Awaited<ReturnType<typeof localReceiver>>;
  let hangingHits = 0;

  beforeAll(async () => {
    hanging = await localReceiver(() => {
      hangingHits += 1; /* never answers */
    });
    fast = await localReceiver((req, res) => {
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
    ({ h, worker, stop } = await startWebhookApi(
      kind,
      {
        urls: [hanging.url, fast.url],
        secret: '',
        maxAttempts: 3,
        retryBaseMs: 60_000,
        timeoutMs: 4000,
        pollMs: 20,
        batch: 5,
      },
      logger,
    ));
    worker.start();
  });
  afterAll(async () => {
    await stop();
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
