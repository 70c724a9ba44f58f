// Webhook signature: HMAC-SHA256 over "<timestamp>.<body>" with the shared secret. The timestamp
// inside the signed text lets a receiver refuse replays older than it tolerates.
import crypto from 'node:crypto';

export const SIGNATURE_HEADER = 'X-Callrec-Signature';
export const TIMESTAMP_HEADER = 'X-Callrec-Timestamp';

export function signBody(secret: string, timestamp: number, body: string): string {
  return `sha256=${crypto.createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** For receivers and tests: constant-time check of a signature header. */
export function verifySignature(secret: string, timestamp: string, body: string, header: string): boolean {
  const expected = Buffer.from(signBody(secret, Number(timestamp), body));
  const got = Buffer.from(header);
  return expected.length === got.length && crypto.timingSafeEqual(expected, got);
}
