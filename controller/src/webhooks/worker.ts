// Delivers webhook_deliveries rows: signed POSTs, retried with exponential backoff until a 2xx or
// the attempt limit. State lives in the table (not in memory), so a restart resumes the retries
// and several controllers on one MySQL share the queue (each attempt is claimed atomically).
import { webhookDeliveries, webhookFailures } from '../metrics';
import type { Store } from '../store';
import type { WebhookDelivery } from '../store/webhooks-repo';
import { backoffDelay } from '../util/backoff';
import type { Logger } from '../util/logger';
import { err, ok, type Result } from '../util/result';
import {
  eventForState, idempotencyKey, webhookPayload, type ResyncError, type WebhookEvent, type WebhookPublisher,
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
}

const RETRY_CAP_MS = 3_600_000;
const origin = (url: string): string => { try { return new URL(url).origin; } catch { return '(bad url)'; } };

export class WebhookWorker implements WebhookPublisher {
  private abort: AbortController | null = null;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;

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
      out.push(await this.store.webhooks.enqueue({ recordingId, event, url, idempotencyKey: idempotencyKey(recordingId, event), payload }));
    }
    this.kick();
    return out;
  }

  async resync(recordingId: number, actor: string): Promise<Result<WebhookDelivery[], ResyncError>> {
    const rec = await this.store.recordings.get(recordingId);
    if (!rec) return err({ kind: 'not-found', detail: `recording ${recordingId} not found` });
    const event = eventForState(rec.state);
    if (!event) return err({ kind: 'not-finished', detail: `recording ${recordingId} is ${rec.state}; nothing to publish yet` });
    if (this.opts.urls.length === 0) return err({ kind: 'no-urls', detail: 'no webhook URLs are configured (CALLREC_WEBHOOK_URLS)' });
    await this.store.events.append({ callId: rec.callId, recordingId, type: 'resynced', actor, detail: { event } });
    return ok(await this.publish(recordingId, event));
  }

  start(): void {
    if (this.loop) return;
    const abort = new AbortController();
    this.abort = abort;
    this.loop = (async () => {
      while (!abort.signal.aborted) {
        try {
          await this.runOnce();
        } catch (e) {
          this.logger.warn('webhook queue unavailable; retrying', { error: e as Error });
        }
        await new Promise<void>((resolve) => {
          // One abort listener per wait, removed when the wait ends (they used to pile up: one a second).
          const wake = () => { clearTimeout(t); abort.signal.removeEventListener('abort', wake); resolve(); };
          const t = setTimeout(wake, this.opts.pollMs ?? 1000);
          this.wake = wake;
          abort.signal.addEventListener('abort', wake, { once: true });
        });
      }
    })();
  }

  async stop(): Promise<void> {
    this.abort?.abort();
    await this.loop;
    this.loop = null;
  }

  /** Runs the due attempts once; the number attempted. */
  async runOnce(): Promise<number> {
    const due = await this.store.webhooks.due(this.opts.batch ?? 20);
    const done = await Promise.all(due.map((d) => this.attempt(d)));
    return done.filter(Boolean).length;
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
      'Content-Type': 'application/json', 'User-Agent': 'callrec-webhooks', 'Idempotency-Key': d.idempotencyKey,
      'X-Callrec-Event': d.event, 'X-Callrec-Delivery': String(d.id), 'X-Callrec-Attempt': String(attempt),
      [TIMESTAMP_HEADER]: String(ts),
    };
    if (this.opts.secret) headers[SIGNATURE_HEADER] = signBody(this.opts.secret, ts, body);
    let status: number | null = null;
    let problem: string;
    try {
      const r = await this.post(d.url, { method: 'POST', body, headers, redirect: 'manual', signal: AbortSignal.timeout(this.opts.timeoutMs) });
      status = r.status;
      await r.body?.cancel();
      if (r.ok) {
        await this.store.webhooks.delivered(d.id, r.status);
        webhookDeliveries.inc({ event: d.event });
        this.logger.info('webhook delivered', { deliveryId: d.id, recordingId: d.recordingId, event: d.event, attempt, to: origin(d.url) });
        return true;
      }
      problem = `HTTP ${r.status}`;
    } catch (e) {
      problem = (e as Error).name === 'TimeoutError' ? `no answer within ${this.opts.timeoutMs} ms` : (e as Error).message;
    }
    await this.failed(d, attempt, status, problem);
    return true;
  }

  private async failed(d: WebhookDelivery, attempt: number, status: number | null, problem: string): Promise<void> {
    const final = attempt >= this.opts.maxAttempts;
    const retryAt = final ? null : new Date(Date.now() + backoffDelay(attempt - 1, this.opts.retryBaseMs, RETRY_CAP_MS));
    await this.store.webhooks.attemptFailed(d.id, status, problem, retryAt);
    webhookFailures.inc({ event: d.event, final: String(final) });
    const meta = { deliveryId: d.id, recordingId: d.recordingId, event: d.event, attempt, to: origin(d.url), problem };
    if (final) this.logger.error('webhook delivery gave up', meta);
    else this.logger.warn('webhook attempt failed; will retry', { ...meta, retryAt: retryAt?.toISOString() });
  }
}
