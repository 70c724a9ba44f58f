// Keeps a PBX connection up: connect, wait until it drops, back off, again, until aborted.
// Logs once per state change, not once per attempt, so a PBX down all night is a few lines.
import type { Logger } from '../util/logger';
import { backoffDelay, sleep } from '../util/backoff';
import { messageOf } from '../util/result';
import type { PbxStatus } from './port';

export interface Connection {
  /** Resolves when the connection is lost. */
  closed: Promise<string>;
  /** Ends the connection; the loop calls it when stopped, so no socket outlives the loop. */
  close(why: string): void;
}

export interface ReconnectLoopOptions {
  name: string; // "ARI at http://127.0.0.1:8088"
  connect(signal: AbortSignal): Promise<Connection>;
  logger: Logger;
  onStatus?(s: PbxStatus): void;
  baseMs?: number;
  capMs?: number;
}

export async function reconnectLoop(opts: ReconnectLoopOptions, signal: AbortSignal): Promise<void> {
  let attempt = 0;
  let lastFailure = '';
  while (!signal.aborted) {
    opts.onStatus?.('connecting');
    let conn: Connection;
    try {
      conn = await opts.connect(signal);
    } catch (e) {
      if (signal.aborted) break;
      const reason = messageOf(e);
      const delay = backoffDelay(attempt++, opts.baseMs ?? 500, opts.capMs ?? 30000);
      if (reason !== lastFailure) {
        opts.logger.warn(`waiting for the PBX: ${opts.name} unreachable (${reason}); retrying with backoff`, {
          retryInMs: delay,
        });
        lastFailure = reason;
      }
      await sleep(delay, signal);
      continue;
    }
    // Stopped while connecting: the new connection goes with the loop.
    if (signal.aborted) {
      conn.close('stopping');
      break;
    }
    attempt = 0;
    lastFailure = '';
    opts.onStatus?.('connected');
    opts.logger.info(`connected to ${opts.name}`);
    // The listener goes with the connection: one per reconnect would pile up on a long-lived signal.
    let onAbort: () => void = () => undefined;
    const stopping = new Promise<string>((r) => {
      onAbort = () => r('stopping');
      signal.addEventListener('abort', onAbort, { once: true });
    });
    const why = await Promise.race([conn.closed, stopping]);
    signal.removeEventListener('abort', onAbort);
    if (signal.aborted) {
      conn.close('stopping');
      break;
    }
    opts.logger.warn(`lost connection to ${opts.name} (${why}); reconnecting`);
  }
  opts.onStatus?.('stopped');
}
