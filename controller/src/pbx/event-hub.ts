// The PbxPort's onEvent side, shared by both adapters: handlers added and removed, and one
// handler that throws is logged with the call id without keeping the event from the others.
import type { PbxEvent } from '../domain/pbx-events';
import type { Logger } from '../util/logger';

export class PbxEventHub {
  private readonly handlers = new Set<(e: PbxEvent) => void>();

  constructor(private readonly logger: Logger) {}

  on(handler: (e: PbxEvent) => void): () => void {
    this.handlers.add(handler);
    return () => {
      this.handlers.delete(handler);
    };
  }

  emit(e: PbxEvent): void {
    for (const h of this.handlers) {
      try {
        h(e);
      } catch (x) {
        this.logger.error(`event handler failed: ${(x as Error).message}`, { callId: e.callId });
      }
    }
  }
}
