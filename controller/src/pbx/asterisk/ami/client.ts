// A small typed AMI client (no maintained typed one exists on npm): keeps one logged-in
// connection up with backoff forever, sends actions that always settle, emits typed events.
import type { Logger } from '../../../util/logger';
import { err, type Result } from '../../../util/result';
import type { PbxError, PbxStatus } from '../../port';
import { reconnectLoop } from '../../reconnect-loop';
import { amiDisconnected } from './errors';
import { toAmiEvent, type AmiEvent } from './events';
import { AmiSession, type AmiEndpoint } from './session';
import type { AmiFields, AmiMessage } from './wire';

export interface AmiClientOptions extends AmiEndpoint {
  logger: Logger;
  /** Longest wait for any one reply (and for the banner and login). */
  actionTimeoutMs?: number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /**
   * The `Events:` classes asked for at login (default `call,user`, what `onEvent` reports). The
   * controller asks for `off`: it only sends actions, and every call event of the PBX would
   * otherwise be read and dropped by the process that runs the gate.
   */
  events?: string;
}

export class AmiClient {
  private session: AmiSession | null = null;
  private current: PbxStatus = 'stopped';
  private loop: Promise<void> | null = null;
  private abort: AbortController | null = null;
  private readonly eventHandlers = new Set<(e: AmiEvent) => void>();
  private readonly statusHandlers = new Set<(s: PbxStatus) => void>();
  private readonly timeoutMs: number;

  constructor(private readonly opts: AmiClientOptions) {
    this.timeoutMs = opts.actionTimeoutMs ?? 5000;
  }

  get name(): string {
    return `AMI at ${this.opts.host}:${this.opts.port}`;
  }

  status(): PbxStatus {
    return this.current;
  }

  onEvent(handler: (e: AmiEvent) => void): () => void {
    this.eventHandlers.add(handler);
    return () => {
      this.eventHandlers.delete(handler);
    };
  }

  /** Status changes; "connected" after each (re)login, e.g. to resync MixMonitor state. */
  onStatus(handler: (s: PbxStatus) => void): () => void {
    this.statusHandlers.add(handler);
    return () => {
      this.statusHandlers.delete(handler);
    };
  }

  /** Starts the connect/reconnect loop and returns at once; `stop()` or the signal ends it. */
  start(signal?: AbortSignal): void {
    if (this.loop) return;
    const abort = new AbortController();
    signal?.addEventListener('abort', () => abort.abort(), { once: true });
    this.abort = abort;
    this.loop = reconnectLoop(
      {
        name: this.name,
        logger: this.opts.logger,
        baseMs: this.opts.backoffBaseMs,
        capMs: this.opts.backoffCapMs,
        onStatus: (s) => this.setStatus(s),
        connect: async () => {
          const r = await AmiSession.open(this.opts, (m) => this.dispatch(m), this.timeoutMs, this.opts.events);
          if (!r.ok) throw new Error(r.error);
          this.session = r.value;
          return {
            closed: r.value.closed,
            close: (why) => {
              r.value.close(why);
            },
          };
        },
      },
      abort.signal,
    );
  }

  /** Sends one action; settles with the reply, or a PbxError (timeout, disconnected, rejected...). */
  send(action: string, fields: AmiFields = {}, timeoutMs = this.timeoutMs): Promise<Result<AmiMessage, PbxError>> {
    const s = this.session;
    if (!s || this.current !== 'connected')
      return Promise.resolve(err(amiDisconnected(action, `not connected to ${this.name}`)));
    return s.send(action, fields, timeoutMs);
  }

  async stop(): Promise<void> {
    this.abort?.abort();
    this.session?.close('stopping');
    await this.loop;
    this.loop = null;
    this.session = null;
  }

  private setStatus(s: PbxStatus): void {
    if (s !== 'connected') this.session = s === 'stopped' ? null : this.session;
    this.current = s;
    for (const h of this.statusHandlers) h(s);
  }

  private dispatch(m: AmiMessage): void {
    const e = toAmiEvent(m);
    if (!e) return;
    for (const h of this.eventHandlers) {
      try {
        h(e);
      } catch (x) {
        this.opts.logger.error('AMI event handler failed', {
          event: e.type,
          uniqueId: e.uniqueId,
          error: (x as Error).message,
        });
      }
    }
  }
}
