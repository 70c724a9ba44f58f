// What the rest of the controller asks of the webhook side: publish an event for a recording, and
// resync (re-send) what a recording already published, with the same idempotency key.
import type { RecordingRecord, RecordingState } from '../domain/records';
import { recordingFacts } from '../domain/recording-json';
import type { WebhookDelivery } from '../store/webhooks-repo';
import type { Result } from '../util/result';

export const WEBHOOK_EVENTS = ['recording.completed', 'recording.failed', 'recording.purged'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export type ResyncErrorKind = 'not-found' | 'not-finished' | 'no-urls';
export interface ResyncError {
  kind: ResyncErrorKind;
  detail: string;
}

export interface WebhookPublisher {
  publish(recordingId: number, event: WebhookEvent): Promise<WebhookDelivery[]>;
  resync(recordingId: number, actor: string): Promise<Result<WebhookDelivery[], ResyncError>>;
}

/** The part the call finalizer and the retention purge need: publish once the row is written. */
export type RecordingPublisher = Pick<WebhookPublisher, 'publish'>;

/**
 * Stable per recording and event: the first delivery and every resync carry the same key, so a
 * receiver that remembers keys drops the duplicates (CRMs otherwise create a second activity).
 */
export const idempotencyKey = (recordingId: number, event: WebhookEvent): string =>
  `callrec-rec-${recordingId}-${event}`;

/** The event a finished recording publishes; null while it is still in progress. */
export function eventForState(state: RecordingState): WebhookEvent | null {
  if (state === 'completed') return 'recording.completed';
  if (state === 'failed') return 'recording.failed';
  if (state === 'purged') return 'recording.purged';
  return null;
}

export function webhookPayload(r: RecordingRecord, event: WebhookEvent, node: string) {
  return {
    event,
    idempotencyKey: idempotencyKey(r.id, event),
    node,
    recording: { ...recordingFacts(r), audioPath: `/api/recordings/${r.id}/audio` },
  };
}
