// What Asterisk 22's manager answers to the MixMonitor actions, with each channel's MixMonitor
// state behind the ARI simulator. Replies carry app_mixmonitor.c's own messages, so the adapter's
// error mapping (ami/errors.ts) is what turns them into PbxErrors; only the TCP hop is skipped
// (ami-sim.ts covers the wire itself).
import type { AmiActions } from '../../../controller/src/pbx/asterisk/ami';
import { amiReplyError } from '../../../controller/src/pbx/asterisk/ami/errors';
import type { AmiFields, AmiMessage } from '../../../controller/src/pbx/asterisk/ami/wire';
import type { PbxError } from '../../../controller/src/pbx/port';
import { err, ok, type Result } from '../../../controller/src/util/result';
import type { AriSim } from './ari-sim';
import type { BeepView } from '../contract/driver';

interface MixMonitor {
  file: string;
  running: boolean;
  muted: boolean;
  options: string;
}

const SUCCESS: AmiMessage = { Response: 'Success' };
const error = (Message: string): AmiMessage => ({ Response: 'Error', Message });

export class MixMonitorModel implements AmiActions {
  readonly actions: Array<{ action: string; fields: AmiFields }> = [];
  /** By channel id; kept after a stop (the channel keeps its audiohook list). */
  private readonly monitors = new Map<string, MixMonitor>();
  private ids = 0;

  constructor(private readonly sim: AriSim) {}

  /** The dialplan ran MixMonitor after the gate (the simulator's continue). */
  started(channelId: string, file: string, options = ''): void {
    this.monitors.set(channelId, { file, running: true, muted: false, options });
  }

  recorder(channelId: string): { file: string; writing: 'audio' | 'silence' | 'nothing' } | null {
    const m = this.monitors.get(channelId);
    return m ? { file: m.file, writing: !m.running ? 'nothing' : m.muted ? 'silence' : 'audio' } : null;
  }

  /**
   * B(N) (N defaults to 15) starts a periodic hook that ChanSpy-barges `beep` into the call until
   * StopMixMonitor (MixMonitorMute leaves it). Measured on 22.10.1 (asterisk-acceptance, Local
   * channels): the recorded channel's party hears it, the file does not hold it, the agent did not.
   */
  beep(channelId: string): BeepView | null {
    const m = this.monitors.get(channelId);
    const b = m?.running ? /B(?:\((\d+)\))?/.exec(m.options) : null;
    if (!m || !b) return null;
    return { everySeconds: b[1] ? Number(b[1]) : 15, intoFile: false, heardBy: ['channel'] };
  }

  async send(action: string, fields: AmiFields = {}): Promise<Result<AmiMessage, PbxError>> {
    this.actions.push({ action, fields });
    const reply = this.reply(action, fields);
    const failure = amiReplyError(action, reply);
    return failure ? err(failure) : ok(reply);
  }

  private reply(action: string, f: AmiFields): AmiMessage {
    const chan = [...this.sim.channels.values()].find((c) => c.ch.name === f.Channel);
    if (!chan) return error('No such channel');
    const id = chan.ch.id;
    const m = this.monitors.get(id);
    switch (action) {
      // ast_audiohook_set_mute_all fails only on a channel that never had an audiohook.
      case 'MixMonitorMute':
        if (!m) return error('Cannot set mute flag');
        m.muted = String(f.State) === '1';
        return SUCCESS;
      case 'StopMixMonitor':
        if (!m?.running || (f.MixMonitorID !== undefined && f.MixMonitorID !== chan.vars.get('CALLREC_MIXMON_ID')))
          return error('Could not stop monitoring channel');
        m.running = false;
        return SUCCESS;
      case 'MixMonitor': {
        const file = String(f.File ?? '');
        this.monitors.set(id, { file, running: true, muted: false, options: String(f.Options ?? '') });
        // As in the dialplan: MIXMONITOR_FILENAME, and the new id in the i() variable.
        const idVar = /i\(([^)]+)\)/.exec(String(f.Options ?? ''))?.[1];
        const mixId = `0x7f4c1d${String(++this.ids).padStart(4, '0')}`;
        setImmediate(() => {
          if (!this.sim.state(id)) return;
          this.sim.setVar(id, 'MIXMONITOR_FILENAME', file);
          if (idVar) this.sim.setVar(id, idVar, mixId);
        });
        return SUCCESS;
      }
      default:
        return error('Invalid/unknown command');
    }
  }
}
