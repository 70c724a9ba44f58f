// LiveCallControl as the API sees it, in memory (the real one is the call registry).
import type { LiveCall, LiveCallControl, LiveCallError } from '../../controller/src/calls/live';
import type { FeatureAction } from '../../controller/src/domain/vocabulary';
import { err, ok, type Result } from '../../controller/src/util/result';

export class FakeLive implements LiveCallControl {
  readonly calls = new Map<number, LiveCall>();
  readonly actions: Array<{ callId: number; action: FeatureAction; actor: string }> = [];
  failWith: LiveCallError | null = null;

  add(callId: number, agent: string | null): LiveCall {
    const c: LiveCall = {
      callId,
      pbxCallId: `p-${callId}`,
      state: 'recording',
      direction: 'inbound',
      from: '+13105550100',
      to: '+12125550123',
      agent,
      agents: agent ? [agent] : [],
      flow: 'sales',
      applet: 'dial',
      startedAt: new Date('2026-11-22T10:00:00Z'),
      recordingId: callId * 10,
      recordingState: 'recording',
      pauseAllowed: true,
      pausedMs: 0,
    };
    this.calls.set(callId, c);
    return c;
  }

  list(): LiveCall[] {
    return [...this.calls.values()];
  }
  get(callId: number): LiveCall | null {
    return this.calls.get(callId) ?? null;
  }

  async act(callId: number, action: FeatureAction, actor: string): Promise<Result<LiveCall, LiveCallError>> {
    this.actions.push({ callId, action, actor });
    if (this.failWith) return err(this.failWith);
    const c = this.calls.get(callId);
    if (!c) return err({ kind: 'not-found', detail: `call ${callId}` });
    const next: LiveCall = {
      ...c,
      recordingState: action === 'pause' ? 'paused' : action === 'stop' ? 'finalizing' : 'recording',
    };
    this.calls.set(callId, next);
    return ok(next);
  }
}
