// Delivers webhook_deliveries rows: signed POSTs, retried with exponential backoff until a 2xx or
// the attempt limit. State lives in the table (not in memory), so a restart resumes the retries
// and several controllers on one MySQL share the queue (each attempt is claimed atomically).
// Each receiver (URL) has its own lane of at most `perReceiver` attempts in flight, and the poll
// never waits for an attempt: a receiver that hangs holds only its own lane.
import { webhookDeliveries, webhookFailures } from '../metrics';
import type { Store } from '../store';
import type { WebhookDelivery } from '../store/webhooks-repo';
import { backoffDelay } from '../util/backoff';
import type { Logger } from '../util/logger';
import { redactUrlsIn } from '../util/redact-url';
import { err, ok, type Result } from '../util/result';
import {
  eventForState,
  idempotencyKey,
  webhookPayload,
  type ResyncError,
  type WebhookEvent,
  type WebhookPublisher,
} from './publisher';
import { SIGNATURE_HEADER, signBody, TIMESTAMP_HEADER } from './signer';

export interface WebhookOptions {
  node: string;
  urls: string[];
  secret: string;
  maxAttempts: number;
  retryBaseMs: number;
  timeoutMs: number;
  pollMs?: number;
  batch?: number;
  perReceiver?: number;
}

const RETRY_CAP_MS = 3_600_000;
const QUEUE_BACKOFF_CAP_MS = 30_000;
const origin = (url: string): string => {
  try {
    return new URL(url).origin;
  } catch {
    return '(bad url)';
  }
};

export class WebhookWorker implements WebhookPublisher {
  private abort: AbortController | null = null;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  /** Attempts in flight, per receiver URL. */
  private readonly lanes = new Map<string, Set<Promise<void>>>();
  private queueDown = false;

  constructor(
    private readonly store: Store,
    private readonly opts: WebhookOptions,
    private readonly logger: Logger,
    private readonly post: typeof fetch = fetch,
  ) {}

  async publish(recordingId: number, event: WebhookEvent): Promise<WebhookDelivery[]> {
    const rec = await this.store.recordings.get(recordingId);
    if (!rec || this.opts.urls.length === 0) return [];
    const payload = webhookPayload(rec, event, this.opts.node);
    const out: WebhookDelivery[] = [];
    for (const url of this.opts.urls) {
      out.push(
        await this.store.webhooks.enqueue({
          recordingId,
          event,
          url,
          idempotencyKey: idempotencyKey(recordingId, event),
          payload,
        }),
      );
    }
    this.kick();
    return out;
  }

  async resync(recordingId: number, actor: string): Promise<Result<WebhookDelivery[], ResyncError>> {
    const rec = await this.store.recordings.get(recordingId);
    if (!rec) return err({ kind: 'not-found', detail: `recording ${recordingId} not found` });
    const event = eventForState(rec.state);
    if (!event)
      return err({ kind: 'not-finished', detail: `recording ${recordingId} is ${rec.state}; nothing to publish yet` });
    if (this.opts.urls.length === 0)
      return err({ kind: 'no-urls', detail: 'no webhook URLs are configured (CALLREC_WEBHOOK_URLS)' });
    await this.store.events.append({ callId: rec.callId, recordingId, type: 'resynced', actor, detail: { event } });
    return ok(await this.publish(recordingId, event));
  }

  start(): void {
    if (this.loop) return;
    const abort = new AbortController();
    this.abort = abort;
    this.loop = (async () => {
      let failures = 0;
      while (!abort.signal.aborted) {
        try {
          this.dispatch(await this.dueForFreeLanes());
          if (this.queueDown) this.logger.info('webhook queue available again');
          this.queueDown = false;
          failures = 0;
        } catch (e) {
          // One line per change of state; the polls back off while the database is away.
          if (!this.queueDown)
            this.logger.warn('webhook queue unavailable; retrying with backoff', { error: e as Error });
          this.queueDown = true;
          failures += 1;
        }
        const pollMs = this.opts.pollMs ?? 1000;
        await new Promise<void>((resolve) => {
          // One abort listener per wait, removed when the wait ends (they used to pile up: one a second).
          const wake = () => {
            clearTimeout(t);
            abort.signal.removeEventListener('abort', wake);
            resolve();
          };
          const t = setTimeout(wake, failures > 0 ? backoffDelay(failures, pollMs, QUEUE_BACKOFF_CAP_MS) : pollMs);
          this.wake = failures > 0 ? null : wake;
          abort.signal.addEventListener('abort', wake, { once: true });
        });
      }
    })();
  }

  async stop(): Promise<void> {
    this.abort?.abort();
    await this.loop;
    this.loop = null;
    await Promise.all([...this.lanes.values()].flatMap((l) => [...l]));
  }

  /** Runs the due attempts once and waits for them; the number attempted. */
  async runOnce(): Promise<number> {
    const started = this.dispatch(await this.dueForFreeLanes());
    return (await Promise.all(started)).filter(Boolean).length;
  }

  /** Due deliveries, leaving out receivers whose lane is full (their rows wait in the table). */
  private dueForFreeLanes(): Promise<WebhookDelivery[]> {
    const full = [...this.lanes].filter(([, l]) => l.size >= this.perReceiver).map(([url]) => url);
    return this.store.webhooks.due(this.opts.batch ?? 20, full);
  }

  /** Starts each delivery in its receiver's lane without waiting for it. */
  private dispatch(due: WebhookDelivery[]): Array<Promise<boolean>> {
    const started: Array<Promise<boolean>> = [];
    for (const d of due) {
      const lane = this.lanes.get(d.url) ?? new Set<Promise<void>>();
      if (lane.size >= this.perReceiver) continue;
      this.lanes.set(d.url, lane);
      const run = this.attempt(d).catch((e: unknown) => {
        this.logger.warn('webhook attempt could not be recorded', { deliveryId: d.id, error: e as Error });
        return false;
      });
      const done = run.then(() => {
        lane.delete(done);
        if (lane.size === 0) this.lanes.delete(d.url);
        this.kick(); // a lane came free: its receiver's next rows may be due
      });
      lane.add(done);
      started.push(run);
    }
    return started;
  }

  private get perReceiver(): number {
    return this.opts.perReceiver ?? 4;
  }

  private kick(): void {
    this.wake?.();
  }

  private async attempt(d: WebhookDelivery): Promise<boolean> {
    if (!(await this.store.webhooks.claim(d, this.opts.timeoutMs + 30_000))) return false;
    const attempt = d.attempts + 1;
    const body = JSON.stringify(d.payload);
    const ts = Math.floor(Date.now() / 1000);
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'User-Agent': 'callrec-webhooks',
      'Idempotency-Key': d.idempotencyKey,
      'X-Callrec-Event': d.event,
      'X-Callrec-Delivery': String(d.id),
      'X-Callrec-Attempt': String(attempt),
      [TIMESTAMP_HEADER]: String(ts),
    };
    if (this.opts.secret) headers[SIGNATURE_HEADER] = signBody(this.opts.secret, ts, body);
    let status: number | null = null;
    let problem: string;
    try {
      const r = await this.post(d.url, {
        method: 'POST',
        body,
        headers,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
      status = r.status;
      await r.body?.cancel();
      if (r.ok) {
        await this.store.webhooks.delivered(d.id, r.status);
        webhookDeliveries.inc({ event: d.event });
        this.logger.info('webhook delivered', {
          deliveryId: d.id,
          recordingId: d.recordingId,
          event: d.event,
          attempt,
          to: origin(d.url),
        });
        return true;
      }
      problem = `HTTP ${r.status}`;
    } catch (e) {
      problem =
        (e as Error).name === 'TimeoutError'
          ? `no answer within ${this.opts.timeoutMs} ms`
          : redactUrlsIn((e as Error).message);
    }
    await this.failed(d, attempt, status, problem);
    return true;
  }

  private async failed(d: WebhookDelivery, attempt: number, status: number | null, problem: string): Promise<void> {
    const final = attempt >= this.opts.maxAttempts;
    const retryAt = final
      ? null
      : new Date(Date.now() + backoffDelay(attempt - 1, this.opts.retryBaseMs, RETRY_CAP_MS));
    await this.store.webhooks.attemptFailed(d.id, status, problem, retryAt);
    webhookFailures.inc({ event: d.event, final: String(final) });
    const meta = { deliveryId: d.id, recordingId: d.recordingId, event: d.event, attempt, to: origin(d.url), problem };
    if (final) this.logger.error('webhook delivery gave up', meta);
    else this.logger.warn('webhook attempt failed; will retry', { ...meta, retryAt: retryAt?.toISOString() });
  }
}
