// Webhook deliveries: one row per (event, URL) delivery, updated at each attempt. A resync adds a
// new row with the same idempotency key, so the history of earlier deliveries stays intact.
import { findById, requireById } from './by-id';
import { rowMapper, type Row } from './rows';
import { Repo } from './repo';

export type DeliveryState = 'pending' | 'delivered' | 'failed';

export interface WebhookDelivery {
  id: number;
  recordingId: number | null;
  event: string;
  url: string;
  idempotencyKey: string;
  payload: unknown;
  state: DeliveryState;
  attempts: number;
  nextAttemptAt: Date | null;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
}

export interface NewDelivery {
  recordingId: number | null;
  event: string;
  url: string;
  idempotencyKey: string;
  payload: unknown;
}

const fromRow = rowMapper<WebhookDelivery>(
  {
    int: ['id', 'attempts'],
    num: ['recordingId', 'lastStatus'],
    text: ['event', 'url', 'idempotencyKey', 'state'],
    str: ['lastError'],
    json: ['payload'],
    date: ['nextAttemptAt', 'deliveredAt'],
    dateReq: ['createdAt'],
  },
  true,
);

export class WebhooksRepo extends Repo {
  async enqueue(d: NewDelivery): Promise<WebhookDelivery> {
    const at = this.now();
    const [id] = await this.knex('webhook_deliveries').insert({
      recording_id: d.recordingId,
      event: d.event,
      url: d.url,
      idempotency_key: d.idempotencyKey,
      payload: JSON.stringify(d.payload),
      state: 'pending',
      attempts: 0,
      next_attempt_at: at,
      created_at: at,
    });
    return requireById(this.knex, 'webhook_deliveries', Number(id), fromRow, 'webhook delivery');
  }

  async get(id: number): Promise<WebhookDelivery | null> {
    return findById(this.knex, 'webhook_deliveries', id, fromRow);
  }

  async forRecording(recordingId: number): Promise<WebhookDelivery[]> {
    const rows = (await this.knex('webhook_deliveries').where({ recording_id: recordingId }).orderBy('id')) as Row[];
    return rows.map(fromRow);
  }

  /** Pending deliveries whose next attempt is due, oldest first, except to the URLs left out. */
  async due(limit: number, exceptUrls: string[] = []): Promise<WebhookDelivery[]> {
    const q = this.knex('webhook_deliveries').where('state', 'pending').where('next_attempt_at', '<=', this.now());
    if (exceptUrls.length > 0) void q.whereNotIn('url', exceptUrls);
    const rows = (await q.orderBy('next_attempt_at').limit(limit)) as Row[];
    return rows.map(fromRow);
  }

  /**
   * Claims a due delivery for one attempt by pushing its next attempt past the lease; false when
   * another worker (another controller on the same MySQL) claimed it first.
   */
  async claim(d: WebhookDelivery, leaseMs: number): Promise<boolean> {
    const n = await this.knex('webhook_deliveries')
      .where({ id: d.id, state: 'pending', attempts: d.attempts })
      .update({ attempts: d.attempts + 1, next_attempt_at: new Date(this.now().getTime() + leaseMs) });
    return Number(n) === 1;
  }

  async delivered(id: number, status: number): Promise<void> {
    await this.knex('webhook_deliveries').where({ id }).update({
      state: 'delivered',
      last_status: status,
      last_error: null,
      next_attempt_at: null,
      delivered_at: this.now(),
    });
  }

  /** Records a failed attempt: retried at `retryAt`, or given up when it is null. */
  async attemptFailed(id: number, status: number | null, error: string, retryAt: Date | null): Promise<void> {
    await this.knex('webhook_deliveries')
      .where({ id })
      .update({
        state: retryAt ? 'pending' : 'failed',
        last_status: status,
        last_error: error.slice(0, 500),
        next_attempt_at: retryAt,
      });
  }
}
