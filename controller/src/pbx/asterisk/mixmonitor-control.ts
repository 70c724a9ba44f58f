// Control of a running MixMonitor from outside Stasis: only AMI can do this (see DESIGN.md,
// "Asterisk contract"). The ARI adapter depends on this interface; the AMI client implements it.
import type { Result } from '../../util/result';
import type { PbxError } from '../port';

export interface MixMonitorControl {
  /** MixMonitorMute Direction=both: pause with silence, the timeline is kept. */
  mute(channel: string, muted: boolean): Promise<Result<void, PbxError>>;
  /** StopMixMonitor (by MixMonitor id when known). */
  stop(channel: string, mixMonitorId: string | null): Promise<Result<void, PbxError>>;
  /** MixMonitor action: start (or, with option `a`, append to the same file after a skip-pause). */
  start(channel: string, file: string, options: string): Promise<Result<void, PbxError>>;
}
