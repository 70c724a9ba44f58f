// While the database is down the API answers 503 with Retry-After (not 500 "internal"), readiness
// says the database is down, and the webhook worker logs the outage once, not every poll. On a
// private MariaDB killed with SIGKILL and started again.
import { openDb } from '../../controller/src/store';
import { WebhookWorker } from '../../controller/src/webhooks/worker';
import { startApi, type ApiHarness } from '../helpers/api';
import { startPrivateMariaDb, type PrivateMariaDb } from '../helpers/private-mariadb';

describe('a database outage (MySQL)', () => {
  let m: PrivateMariaDb;
  let h: ApiHarness;
  let worker: WebhookWorker;

  beforeAll(async () => {
    m = await startPrivateMariaDb();
    h = await startApi(
      'mysql',
      (store, logger) => {
        worker = new WebhookWorker(
          store,
          {
            node: 'pbx1',
            urls: ['http://127.0.0.1:9/hook'],
            secret: '',
            maxAttempts: 3,
            retryBaseMs: 1000,
            timeoutMs: 500,
            pollMs: 20,
          },
          logger,
        );
        return { webhooks: worker };
      },
      {},
      await m.database(),
    );
    worker.start();
  }, 60_000);
  afterAll(async () => {
    await worker?.stop();
    await h?.close();
    await m?.destroy();
  });

  const count = (text: string) => h.logs.filter((l) => l.includes(text)).length;

  it('answers 503 with Retry-After while the database is down, and recovers when it is back', async () => {
    const rec = await h.addRecording();
    expect((await h.get('/api/recordings', h.keys.admin)).status).toBe(200);
    await m.kill();
    const answers = [];
    for (const [p, key] of [
      ['/api/recordings', h.keys.admin],
      [`/api/recordings/${rec.id}`, h.keys.agent],
      ['/api/recordings', 'crk_000000000000_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'],
      ['/metrics', h.keys.admin],
    ] as const) {
      const r = await h.get(p, key);
      answers.push([r.status, r.headers.get('retry-after'), ((await r.json()) as { error: string }).error]);
    }
    expect(answers).toEqual(Array(4).fill([503, '5', 'db-unavailable']));
    expect((await h.get('/readyz')).status).toBe(503);
    await new Promise((r) => setTimeout(r, 1500)); // some 75 polls of the webhook worker at 20 ms
    expect(count('API: database unreachable')).toBe(1);
    expect(count('readiness: database unavailable')).toBe(1);
    expect(count('webhook queue unavailable')).toBe(1);
    expect(count('API request failed')).toBe(0);

    await m.start();
    const end = Date.now() + 15_000;
    let status = 0;
    while (status !== 200 && Date.now() < end) {
      status = (await h.get('/api/recordings', h.keys.admin)).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toBe(200);
    while (count('webhook queue available again') === 0 && Date.now() < end)
      await new Promise((r) => setTimeout(r, 100));
    expect(count('webhook queue available again')).toBe(1);
  }, 60_000);
});

describe('a database that stays locked (SQLite)', () => {
  it('answers a write that waited out busy_timeout with 503 and Retry-After', async () => {
    const h = await startApi('sqlite');
    const rec = await h.addRecording();
    // Another process holding the write lock longer than busy_timeout (5 s).
    const other = openDb(h.dbUrl); // one connection (SQLite's pool has one)
    try {
      await other.knex.raw('BEGIN IMMEDIATE');
      const r = await h.send('POST', `/api/recordings/${rec.id}/hold`, h.keys.admin, { reason: 'case 1' });
      expect([r.status, r.headers.get('retry-after'), ((await r.json()) as { error: string }).error]).toEqual([
        503,
        '5',
        'db-unavailable',
      ]);
    } finally {
      await other.knex.raw('ROLLBACK');
      await other.close();
      await h.close();
    }
    expect(h.logs.filter((l) => l.includes('API request failed'))).toEqual([]);
  }, 30_000);
});
