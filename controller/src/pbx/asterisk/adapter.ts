// Asterisk over ARI (websocket + REST). This first cut keeps the connection up; the gate and the
// recording lifecycle build on it.
import ari from 'ari-client';
import type { Config } from '../../config/types';
import type { Command } from '../../domain/commands';
import type { PbxEvent } from '../../domain/pbx-events';
import type { Logger } from '../../util/logger';
import { err, type Result } from '../../util/result';
import type { PbxError, PbxPort, PbxStatus } from '../port';
import { reconnectLoop, type Connection } from '../reconnect-loop';
import { probeAri } from './probe';

export class AsteriskAdapter implements PbxPort {
  readonly kind = 'asterisk' as const;
  private current: PbxStatus = 'stopped';
  private readonly handlers = new Set<(e: PbxEvent) => void>();
  private client: ari.Client | null = null;
  private loop: Promise<void> | null = null;

  constructor(private readonly cfg: Config, private readonly logger: Logger) {}

  status(): PbxStatus { return this.current; }

  onEvent(handler: (e: PbxEvent) => void): () => void {
    this.handlers.add(handler);
    return () => { this.handlers.delete(handler); };
  }

  async start(signal: AbortSignal): Promise<void> {
    this.loop = reconnectLoop({
      name: `ARI at ${this.cfg.ari.url}`,
      logger: this.logger,
      onStatus: (s) => { this.current = s; },
      connect: () => this.connectOnce(),
    }, signal);
  }

  private async connectOnce(): Promise<Connection> {
    // Probe first with our own timeout: ari-client's own requests can hang forever on a reset.
    const probe = await probeAri(this.cfg.ari);
    if (!probe.ok) throw new Error(probe.detail.replace(`ARI at ${this.cfg.ari.url}: `, ''));
    const client = await withTimeout(ari.connect(this.cfg.ari.url, this.cfg.ari.user, this.cfg.ari.password), 5000, 'ARI connect');
    const closed = new Promise<string>((resolve) => {
      client.on('WebSocketMaxRetries', () => resolve('websocket gave up'));
    });
    await withTimeout(client.start(this.cfg.ari.app), 5000, 'ARI application start');
    this.client = client;
    return { closed };
  }

  async execute(cmd: Command): Promise<Result<void, PbxError>> {
    return err({ kind: 'disconnected', detail: `${cmd.type} not available yet` });
  }

  async stop(): Promise<void> {
    try { this.client?.stop(); } catch { /* already closed */ }
    this.client = null;
    await this.loop;
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    p.then((v) => { clearTimeout(t); resolve(v); }, (e: unknown) => { clearTimeout(t); reject(e instanceof Error ? e : new Error(String(e))); });
  });
}
