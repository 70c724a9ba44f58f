// FreeSWITCH over ESL. This first cut keeps the inbound connection's reachability; the gate and
// the recording lifecycle build on it.
import type { Config } from '../../config/types';
import type { Command } from '../../domain/commands';
import type { PbxEvent } from '../../domain/pbx-events';
import type { Logger } from '../../util/logger';
import { sleep } from '../../util/backoff';
import { err, type Result } from '../../util/result';
import type { PbxError, PbxPort, PbxStatus } from '../port';
import { reconnectLoop } from '../reconnect-loop';
import { probeEsl } from './probe';

export class FreeswitchAdapter implements PbxPort {
  readonly kind = 'freeswitch' as const;
  private current: PbxStatus = 'stopped';
  private readonly handlers = new Set<(e: PbxEvent) => void>();
  private loop: Promise<void> | null = null;

  constructor(private readonly cfg: Config, private readonly logger: Logger) {}

  status(): PbxStatus { return this.current; }

  onEvent(handler: (e: PbxEvent) => void): () => void {
    this.handlers.add(handler);
    return () => { this.handlers.delete(handler); };
  }

  async start(signal: AbortSignal): Promise<void> {
    this.loop = reconnectLoop({
      name: `ESL at ${this.cfg.esl.host}:${this.cfg.esl.port}`,
      logger: this.logger,
      onStatus: (s) => { this.current = s; },
      connect: async () => {
        const probe = await probeEsl(this.cfg.esl);
        if (!probe.ok) throw new Error(probe.detail.replace(/^ESL at [^:]+:\d+: /, ''));
        return { closed: this.watch(signal) };
      },
    }, signal);
  }

  private async watch(signal: AbortSignal): Promise<string> {
    while (!signal.aborted) {
      await sleep(5000, signal);
      const probe = await probeEsl(this.cfg.esl);
      if (!probe.ok) return probe.detail;
    }
    return 'stopping';
  }

  async execute(cmd: Command): Promise<Result<void, PbxError>> {
    return err({ kind: 'disconnected', detail: `${cmd.type} not available yet` });
  }

  async stop(): Promise<void> {
    await this.loop;
  }
}
