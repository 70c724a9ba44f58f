import { getEventListeners } from 'node:events';
// Webhook delivery against a local receiver: a failure then a success carry one idempotency key,
// a resync re-sends that same key, and a receiver that never answers 2xx ends as failed.
import type http from 'node:http';
import { webhookFailures } from '../../controller/src/metrics';
import { idempotencyKey } from '../../controller/src/webhooks/publisher';
import { verifySignature } from '../../controller/src/webhooks/signer';
import type { WebhookWorker } from '../../controller/src/webhooks/worker';
import type { ApiHarness } from '../helpers/api';
import { STORE_KINDS } from '../helpers/db';
import { localReceiver, startWebhookApi } from '../helpers/webhooks';

interface Hit {
  headers: http.IncomingHttpHeaders;
  body: string;
}

async function receiver(answers: number[]): Promise<{ url: string; hits: Hit[]; close(): Promise<void> }> {
  const hits: Hit[] = [];
  const { url, close } = await localReceiver((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      hits.push({ headers: req.headers, body });
      res.statusCode = answers[Math.min(hits.length - 1, answers.length - 1)] as number;
      res.end();
    });
  });
  return { url, hits, close };
}

async function until(check: () => Promise<boolean> | boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.each(STORE_KINDS)('webhooks on %s', (kind) => {
  let h: ApiHarness;
  let worker: WebhookWorker;
  let stop: () => Promise<void>;
  let rx: Awaited<ReturnType<typeof receiver>>;
  const SECRET = 'whsec-test';

  beforeAll(async () => {
    rx = await receiver([503, 200]);
    ({ h, worker, stop } = await startWebhookApi(kind, {
      urls: [rx.url],
      secret: SECRET,
      maxAttempts: 5,
      retryBaseMs: 30,
      timeoutMs: 2000,
      pollMs: 20,
    }));
    worker.start();
  });
  afterAll(async () => {
    await stop();
    await rx.close();
  });

  it('polls without piling up abort listeners (one was added per poll, Node warned after 10)', async () => {
    await new Promise((r) => setTimeout(r, 20 * 15));
    const signal = (worker as unknown as { abort: AbortController }).abort.signal;
    expect(getEventListeners(signal, 'abort').length).toBeLessThanOrEqual(1);
  });

  it('retries a failed delivery, then succeeds with the same idempotency key and a valid signature', async () => {
    const rec = await h.addRecording();
    const [d] = await worker.publish(rec.id, 'recording.completed');
    await until(async () => (await h.store.webhooks.get(d?.id ?? 0))?.state === 'delivered');
    expect(rx.hits.map((x) => [x.headers['x-callrec-attempt'], x.headers['idempotency-key']])).toEqual([
      ['1', idempotencyKey(rec.id, 'recording.completed')],
      ['2', idempotencyKey(rec.id, 'recording.completed')],
    ]);
    for (const hit of rx.hits) {
      expect(
        verifySignature(
          SECRET,
          String(hit.headers['x-callrec-timestamp']),
          hit.body,
          String(hit.headers['x-callrec-signature']),
        ),
      ).toBe(true);
      expect(JSON.parse(hit.body)).toMatchObject({
        event: 'recording.completed',
        recording: { id: rec.id, from: '+13105550100' },
      });
    }
    expect(
      verifySignature(
        'other-secret',
        String(rx.hits[0]?.headers['x-callrec-timestamp']),
        rx.hits[0]?.body ?? '',
        String(rx.hits[0]?.headers['x-callrec-signature']),
      ),
    ).toBe(false);
    expect(await h.store.webhooks.get(d?.id ?? 0)).toMatchObject({
      state: 'delivered',
      attempts: 2,
      lastStatus: 200,
      lastError: null,
    });

    const resync = await h.send('POST', `/api/recordings/${rec.id}/resync`, h.keys.supervisor);
    expect(resync.status).toBe(202);
    await until(() => rx.hits.length === 3);
    expect(rx.hits[2]?.headers['idempotency-key']).toBe(idempotencyKey(rec.id, 'recording.completed'));
    expect((await h.store.events.forRecording(rec.id)).map((e) => [e.type, e.actor])).toEqual([
      ['resynced', 'lead (supervisor, key 2)'],
    ]);
    const detail = (await (await h.get(`/api/recordings/${rec.id}`, h.keys.admin)).json()) as {
      webhooks: Array<{ state: string }>;
    };
    expect(detail.webhooks.map((w) => w.state)).toEqual(['delivered', expect.stringMatching(/pending|delivered/)]);
  });

  it('refuses to resync a recording still in progress', async () => {
    const rec = await h.addRecording({ state: 'recording' });
    const r = await h.send('POST', `/api/recordings/${rec.id}/resync`, h.keys.admin);
    expect(r.status).toBe(409);
    expect(await r.json()).toMatchObject({ error: 'not-finished' });
  });
});

describe('a receiver that never accepts', () => {
  it('gives up after the attempt limit, counting the failures', async () => {
    const rx = await receiver([500]);
    const {
      h,
      worker: w,
      stop,
    } = await startWebhookApi('sqlite', {
      urls: [rx.url],
      secret: '',
      maxAttempts: 3,
      retryBaseMs: 10,
      timeoutMs: 2000,
      pollMs: 10,
    });
    const gaveUp = async () => (await webhookFailures.get()).values.find((v) => v.labels.final === 'true')?.value ?? 0;
    const before = await gaveUp();
    try {
      w.start();
      const rec = await h.addRecording();
      const [d] = await w.publish(rec.id, 'recording.failed');
      await until(async () => (await h.store.webhooks.get(d?.id ?? 0))?.state === 'failed');
      expect(rx.hits).toHaveLength(3);
      expect(rx.hits[0]?.headers['x-callrec-signature']).toBeUndefined();
      expect(await h.store.webhooks.get(d?.id ?? 0)).toMatchObject({
        attempts: 3,
        lastStatus: 500,
        lastError: 'HTTP 500',
        nextAttemptAt: null,
      });
      expect(await gaveUp()).toBe(before + 1);
      expect(h.logs.join('\n')).toContain('webhook delivery gave up');
    } finally {
      await stop();
      await rx.close();
    }
  });
});
