// MixMonitor control over AMI: the only way to pause, stop or restart a MixMonitor on a channel
// outside Stasis (DESIGN.md, "Asterisk contract"). Action and field names as in the q6 traces.
import { ok, type Result } from '../../../util/result';
import type { PbxError } from '../../port';
import type { MixMonitorControl } from '../mixmonitor-control';
import type { AmiFields, AmiMessage } from './wire';

export interface AmiActions {
  send(action: string, fields?: AmiFields): Promise<Result<AmiMessage, PbxError>>;
}

export class AmiMixMonitorControl implements MixMonitorControl {
  constructor(private readonly ami: AmiActions) {}

  mute(channel: string, muted: boolean): Promise<Result<void, PbxError>> {
    return this.run('MixMonitorMute', { Channel: channel, Direction: 'both', State: muted ? 1 : 0 });
  }

  stop(channel: string, mixMonitorId: string | null): Promise<Result<void, PbxError>> {
    return this.run(
      'StopMixMonitor',
      mixMonitorId ? { Channel: channel, MixMonitorID: mixMonitorId } : { Channel: channel },
    );
  }

  start(channel: string, file: string, options: string): Promise<Result<void, PbxError>> {
    return this.run('MixMonitor', { Channel: channel, File: file, Options: options });
  }

  private async run(action: string, fields: AmiFields): Promise<Result<void, PbxError>> {
    const r = await this.ami.send(action, fields);
    return r.ok ? ok(undefined) : r;
  }
}
