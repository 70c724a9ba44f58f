// What a gated call reports outward, over the ARI simulator with the real registry and store:
// webhooks queued once the recording row is settled, Prometheus counters on /metrics, and the
// policy's reasons (and its rule fallback) stored with the call and shown by GET /api/recordings/:id.
import type http from 'node:http';
import { createApi } from '../../controller/src/api/app';
import { closeServer, createHttpApp, listen } from '../../controller/src/api/server';
import { generateApiKey } from '../../controller/src/domain/api-keys';
import { promCallMetrics } from '../../controller/src/metrics';
import { RuleSetEngine } from '../../controller/src/policy/service';
import type { Store } from '../../controller/src/store';
import { silentLogger } from '../../controller/src/util/logger';
import { WebhookWorker } from '../../controller/src/webhooks/worker';
import { FakeLive } from '../fakes/live';
import { createRetentionActions } from '../../controller/src/retention/actions';
import { DEFAULT_TIER_LENGTHS } from '../../controller/src/domain/tiers';
import { until, writeWav } from '../helpers/call-harness';
import { startHarness, type Harness } from '../helpers/asterisk/gate-harness';
import { flow, ruleSet, SETTINGS } from '../helpers/rules';

// sales/dial has its own rule; sales/other falls back to the flow default (a rule fallback).
const ENGINE = new RuleSetEngine(
  ruleSet({
    flows: [
      flow('sales', { record: 'from-answer', consent: 'none' }, { dial: { record: 'from-ringing', consent: 'none' } }),
    ],
  }),
  SETTINGS,
);

async function apiOver(store: Store): Promise<{ server: http.Server; key: string; get(p: string): Promise<Response> }> {
  const api = createApi({
    store,
    logger: silentLogger(),
    recordingsDir: '/nonexistent',
    defaultCountry: 'US',
    bodyLimitBytes: 2048,
    costPerMinute: 0,
    live: new FakeLive(),
    retention: createRetentionActions(store, {
      root: '/nonexistent',
      lengths: DEFAULT_TIER_LENGTHS,
      logger: silentLogger(),
    }),
    webhooks: { publish: async () => [], resync: async () => ({ ok: false, error: { kind: 'no-urls', detail: '' } }) },
  });
  const server = await listen(
    createHttpApp({
      logger: silentLogger(),
      pingDb: () => store.ping(),
      pbxStatus: () => 'connected',
      routers: api.routers,
    }),
    '127.0.0.1',
    0,
  );
  const k = generateApiKey();
  await store.keys.insert({ name: 'ops', prefix: k.prefix, hash: k.hash, role: 'admin', agent: null });
  const port = (server.address() as { port: number }).port;
  return {
    server,
    key: k.key,
    get: (p) => fetch(`http://127.0.0.1:${port}${p}`, { headers: { Authorization: `Bearer ${k.key}` } }),
  };
}

describe('a gated call reports outward', () => {
  let h: Harness;
  let api: Awaited<ReturnType<typeof apiOver>>;
  beforeAll(async () => {
    h = await startHarness({
      engine: ENGINE,
      metrics: promCallMetrics,
      publisher: (store) =>
        new WebhookWorker(
          store,
          {
            node: 'pbx1',
            urls: ['http://127.0.0.1:9/hook'],
            secret: 's',
            maxAttempts: 3,
            retryBaseMs: 10,
            timeoutMs: 100,
          },
          silentLogger(),
        ),
    });
    api = await apiOver(h.store);
  });
  afterAll(async () => {
    await closeServer(api.server);
    await h.close();
  });

  async function gated(applet: string, seconds: number) {
    h.sim.onRecord = (_id, file) => writeWav(file, seconds);
    const ch = h.sim.addChannel();
    h.sim.enterStasis(ch.id, ['gate', 'sales', applet]);
    await until(async () => (await h.store.calls.findByPbxId('pbx1', ch.id)) !== null, 5000, 'call row');
    const call = (await h.store.calls.findByPbxId('pbx1', ch.id))!;
    await until(async () => (await h.store.recordings.forCall(call.id))[0]?.state === 'recording', 5000, 'recording');
    h.sim.hangup(ch.id);
    await until(
      async () => ['done', 'failed'].includes((await h.store.calls.get(call.id))?.state ?? ''),
      5000,
      'call settled',
    );
    await h.registry.settled();
    return { call, rec: (await h.store.recordings.forCall(call.id))[0]! };
  }

  it('queues recording.completed after the row is completed, and recording.failed for a header-only file', async () => {
    const ok = await gated('dial', 2);
    const [delivery] = await h.store.webhooks.forRecording(ok.rec.id);
    expect(delivery).toMatchObject({
      event: 'recording.completed',
      idempotencyKey: `callrec-rec-${ok.rec.id}-recording.completed`,
      state: 'pending',
    });
    // the payload was read from the settled row: it carries the measured duration and the hash
    expect(delivery?.payload).toMatchObject({
      recording: { id: ok.rec.id, state: 'completed', durationMs: 2000, sha256: ok.rec.sha256 },
    });

    const bad = await gated('dial', 0);
    expect((await h.store.webhooks.forRecording(bad.rec.id)).map((d) => d.event)).toEqual(['recording.failed']);
  });

  it('shows non-zero gate counters, the latency histogram and settled recordings on /metrics', async () => {
    // Its own two calls, measured as differences: the other tests here gate calls too, in any order.
    const scrape = async () => {
      const text = await (await api.get('/metrics')).text();
      return (series: string) =>
        Number(new RegExp(`^${series.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1] ?? '0');
    };
    const before = await scrape();
    await gated('dial', 2);
    await gated('dial', 0);
    const after = await scrape();
    const delta = (series: string) => after(series) - before(series);
    expect(delta('callrec_calls_gated_total{pbx="asterisk",outcome="decided"}')).toBe(2);
    expect(delta('callrec_decisions_total{mode="from-ringing"}')).toBe(2);
    expect(delta('callrec_gate_latency_seconds_count{pbx="asterisk"}')).toBe(2);
    expect(delta('callrec_gate_latency_seconds_sum{pbx="asterisk"}')).toBeGreaterThan(0);
    expect(delta('callrec_recordings_finished_total{state="completed"}')).toBe(1);
    expect(delta('callrec_recordings_finished_total{state="failed"}')).toBe(1);
    expect(delta('callrec_recordings{state="completed"}')).toBe(1);
  });

  it('stores the decision reasons and the rule fallback with the call, and shows them on the recording', async () => {
    const { call, rec } = await gated('other', 1);
    expect((await h.store.calls.get(call.id))?.decision).toMatchObject({
      source: 'flow',
      fallback: 'flow "sales" has no rule for applet "other"',
    });
    const body = (await (await api.get(`/api/recordings/${rec.id}`)).json()) as { call: Record<string, unknown> };
    expect(body.call).toMatchObject({
      decidedBy: 'flow',
      ruleFallback: 'flow "sales" has no rule for applet "other"',
      fallbackReason: null,
      reasons: expect.arrayContaining(['flow "sales" has no rule for applet "other": flow "sales" default applies']),
    });
  });
});
