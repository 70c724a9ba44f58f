import type { ProbeResult } from './port';
import { redactUrlsIn } from '../util/redact-url';

/** One GET with basic auth and a hard timeout; never hangs, never throws. */
export async function httpProbe(
  url: string,
  user: string,
  password: string,
  timeoutMs = 3000,
): Promise<ProbeResult & { status?: number; body?: unknown }> {
  try {
    const res = await fetch(url, {
      headers: { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (res.status === 401 || res.status === 403)
      return { ok: false, status: res.status, detail: `credentials rejected (HTTP ${res.status})` };
    if (!res.ok) return { ok: false, status: res.status, detail: `HTTP ${res.status}` };
    const body: unknown = await res.json().catch(() => null);
    return { ok: true, status: res.status, body, detail: 'reachable' };
  } catch (e) {
    return { ok: false, detail: describeNetError(e) };
  }
}

export function describeNetError(e: unknown): string {
  const err = e as { name?: string; code?: string; cause?: { code?: string; message?: string }; message?: string };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return 'timed out';
  // fetch quotes the whole URL when it refuses one with credentials in it.
  return redactUrlsIn(err?.cause?.code ?? err?.code ?? err?.cause?.message ?? err?.message ?? String(e));
}
