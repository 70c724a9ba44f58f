// The watching connection: one inbound ESL session kept up forever (backoff between attempts),
// subscribed to named events only (never `myevents`: a client that used it releases the park when
// it dies and the call hangs up), events delivered in Event-Sequence order.
import { err, type Result } from '../../../util/result';
import { reconnectLoop } from '../../reconnect-loop';
import type { PbxStatus } from '../../port';
import { EventOrderer } from './order';
import { EslSession, type EslEvent, type EslFailure, type EslLogger, type EslSessionOptions } from './session';

/** Subscribed by modesl itself and not needed here (BACKGROUND_JOB is: bgapi answers come in it). */
const UNWANTED = ['CHANNEL_EXECUTE_COMPLETE'];

export interface EslInboundOptions extends EslSessionOptions {
  events: readonly string[];
  subclasses?: readonly string[];
  reorderWindowMs?: number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** Runs after each (re)connect and subscription, before events flow to handlers matter. */
  onConnected?(session: EslSession): Promise<void> | void;
}

export class EslInbound {
  private session: EslSession | null = null;
  private current: PbxStatus = 'stopped';
  private loop: Promise<void> | null = null;
  private readonly handlers = new Set<(e: EslEvent) => void>();
  private readonly orderer: EventOrderer<EslEvent>;
  private readonly logger: EslLogger;

  constructor(private readonly opts: EslInboundOptions) {
    this.logger = opts.logger;
    this.orderer = new EventOrderer<EslEvent>(
      (e) => this.deliver(e),
      opts.reorderWindowMs ?? 5,
      (e, last) => this.logger.debug('ESL event arrived after its reorder window', { event: e.name, seq: e.seq, last }),
    );
  }

  status(): PbxStatus {
    return this.current;
  }

  onEvent(handler: (e: EslEvent) => void): () => void {
    this.handlers.add(handler);
    return () => {
      this.handlers.delete(handler);
    };
  }

  start(signal: AbortSignal): void {
    this.loop = reconnectLoop(
      {
        name: `ESL at ${this.opts.host}:${this.opts.port}`,
        logger: this.logger,
        baseMs: this.opts.backoffBaseMs ?? 500,
        capMs: this.opts.backoffCapMs ?? 30000,
        onStatus: (s) => {
          this.current = s;
        },
        connect: async () => {
          const s = await EslSession.connect(this.opts);
          if (!s.ok) throw new Error(s.error.detail);
          const session = s.value;
          session.onEvent((e) => this.orderer.push(e));
          const sub = await session.subscribe(this.opts.events, this.opts.subclasses ?? []);
          if (!sub.ok) {
            session.close();
            throw new Error(`subscription failed: ${sub.error.detail}`);
          }
          // modesl subscribes CHANNEL_EXECUTE_COMPLETE at auth (for its outbound execute): on the
          // watching connection that is every app of every call, ~4 KB of JSON each, for nothing.
          const nix = await session.command(`nixevent ${UNWANTED.join(' ')}`);
          if (!nix.ok) this.logger.warn(`could not drop unwanted events: ${nix.error.detail}`);
          this.orderer.reset();
          this.session = session;
          try {
            await this.opts.onConnected?.(session);
          } catch (e) {
            this.logger.error(`ESL reconnect hook failed: ${(e as Error).message}`);
          }
          return {
            closed: session.closed.then((why) => {
              if (this.session === session) this.session = null;
              return why;
            }),
            close: (why) => session.close(why),
          };
        },
      },
      signal,
    );
  }

  api(command: string, timeoutMs?: number): Promise<Result<string, EslFailure>> {
    const s = this.session;
    if (!s || !s.isOpen) return Promise.resolve(err({ kind: 'disconnected', detail: 'not connected to FreeSWITCH' }));
    return s.api(command, timeoutMs);
  }

  private deliver(e: EslEvent): void {
    for (const h of this.handlers) {
      try {
        h(e);
      } catch (x) {
        this.logger.error(`ESL event handler failed: ${(x as Error).message}`, { event: e.name });
      }
    }
  }

  async stop(): Promise<void> {
    this.session?.close('stopping');
    await this.loop;
    this.orderer.flush();
  }
}
