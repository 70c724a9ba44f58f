// The only contract between the controller and a PBX. Both adapters implement it; the domain and
// the registry never see a vendor client.
import { err, messageOf, type Result } from '../util/result';
import type { PbxCommand } from '../domain/commands';
import type { PbxEvent } from '../domain/pbx-events';
import type { PbxErrorKind, PbxKind } from '../domain/vocabulary';

export interface PbxError {
  kind: PbxErrorKind;
  detail: string;
}

export type PbxStatus = 'stopped' | 'connecting' | 'connected';

export interface PbxPort {
  readonly kind: PbxKind;
  /** Connects and keeps reconnecting with backoff until the signal aborts; resolves at once. */
  start(signal: AbortSignal): Promise<void>;
  status(): PbxStatus;
  onEvent(handler: (e: PbxEvent) => void): () => void;
  execute(cmd: PbxCommand): Promise<Result<void, PbxError>>;
  /**
   * Lets a call in the gate go on with its decision in one request, sent before the caller
   * returns, its events followed from then on: what `Watch`, `SetDecision` and `Continue` do in
   * turn. The answer to that request; null when this PBX or this call cannot take the decision
   * in one (the commands then go one by one).
   */
  releaseNow?(decision: Extract<PbxCommand, { type: 'SetDecision' }>): Promise<Result<void, PbxError>> | null;
  stop(): Promise<void>;
}

/** A port's answer, a promise that rejected read as a `rejected` answer: the caller still decides. */
export const answerOf = <T>(p: Promise<Result<T, PbxError>>): Promise<Result<T, PbxError>> =>
  p.catch((x: unknown) => err({ kind: 'rejected', detail: messageOf(x) }));

/** How a wire-event normalizer tells its adapter what it dropped and why (the adapter logs it). */
export type DropReporter = (problem: string, callId: string | null) => void;

export interface ProbeResult {
  ok: boolean;
  detail: string;
}
