// A PBX port that keeps, in order, what the registry asked of it: for tests of the registry's own
// sequencing, without a simulator.
import type { PbxCommand } from '../../controller/src/domain/commands';
import type { GateFacts, PbxEvent } from '../../controller/src/domain/pbx-events';
import type { PbxError, PbxPort, PbxStatus } from '../../controller/src/pbx/port';
import { ok, type Result } from '../../controller/src/util/result';

type SetDecision = Extract<PbxCommand, { type: 'SetDecision' }>;

/** A PBX port that logs what it is asked, in order; `quick: false` has no releaseNow. */
export class LoggingPort implements PbxPort {
  readonly kind = 'asterisk' as const;
  readonly log: string[] = [];
  /** The answer to the one-request release (commands sent one by one always succeed). */
  releaseAnswer: Result<void, PbxError> = ok(undefined);
  private handler: ((e: PbxEvent) => void) | null = null;
  releaseNow?: (cmd: SetDecision) => Promise<Result<void, PbxError>> | null;

  constructor(quick = true) {
    if (quick)
      this.releaseNow = (cmd) => {
        this.log.push(`releaseNow ${cmd.record ? cmd.file : 'skip'}`);
        return Promise.resolve(this.releaseAnswer);
      };
  }

  async start(): Promise<void> {}
  status(): PbxStatus {
    return 'connected';
  }
  onEvent(h: (e: PbxEvent) => void): () => void {
    this.handler = h;
    return () => {
      this.handler = null;
    };
  }
  emit(e: PbxEvent): void {
    this.handler?.(e);
  }
  async execute(cmd: PbxCommand): Promise<Result<void, PbxError>> {
    this.log.push(cmd.type);
    return ok(undefined);
  }
  async stop(): Promise<void> {}
}

const facts = (applet: string): GateFacts => ({
  flow: 'sales',
  applet,
  direction: 'inbound',
  from: '+13105550100',
  to: '+12125550123',
  campaign: null,
  agent: null,
  language: null,
  answered: false,
});

let n = 0;
/** A call entering the gate of flow `sales` at this applet, with a new call id each time. */
export const gateEntered = (applet: string): Extract<PbxEvent, { type: 'GateEntered' }> => ({
  type: 'GateEntered',
  callId: `c${++n}`,
  at: new Date(),
  facts: facts(applet),
  problem: null,
  swept: false,
});
