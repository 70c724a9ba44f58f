// How a call leaves the gate on Asterisk: the decision, in the continue itself when the installed
// dialplan takes it there (the gate's only request), else as variables first. The call's events
// keep coming after Stasis without a request: the events websocket follows every channel.
import type { Config } from '../../config/types';
import type { PbxCommand } from '../../domain/commands';
import type { Logger } from '../../util/logger';
import { err, ok, type Result } from '../../util/result';
import type { PbxError } from '../port';
import type { AriHttp } from './ari-http';
import type { AriPipeline, PipedRequest } from './ari-pipeline';
import { VAR } from './dialplan-vars';
import { decisionExtension, DIALPLAN_VERSION } from './gate-extension';
import { mixMonitorOptions } from './mixmonitor-options';

export class GateRelease {
  /** Asterisk's CALLREC_DIR is the root callrec plans files under (checked at each connect). */
  private sameRoot = false;
  private warnedOld = false;
  /**
   * Calls in the gate: whether their dialplan takes the decision in continue (its contract
   * argument), and the extension their decision continues into.
   */
  private readonly leaving = new Map<string, { takes: boolean; extension: string | null }>();

  constructor(
    private readonly cfg: Config,
    private readonly logger: Logger,
    private readonly http: AriHttp,
    private readonly pipe: AriPipeline,
    /** Whether this ARI has one-shot POST /variables (22.10+). */
    private readonly oneShotVars: () => boolean,
  ) {}

  /** A call entered the gate (Stasis) with the dialplan's contract argument (null: swept, unknown). */
  entered(callId: string, contract: string | null): void {
    const takes = contract === DIALPLAN_VERSION;
    if (contract !== null && !takes && !this.warnedOld) {
      this.warnedOld = true;
      this.logger.warn(
        "the installed callrec-gate dialplan is an older callrec's: the gate sets variables before continue, one request more per call; run `callrec install asterisk` to update it",
        { callId },
      );
    }
    if (!this.leaving.has(callId)) this.leaving.set(callId, { takes, extension: null });
  }

  /** Whether the call is in the gate (in Stasis, not yet let go). */
  has(callId: string): boolean {
    return this.leaving.has(callId);
  }

  forget(callId: string): void {
    this.leaving.delete(callId);
  }

  /** The decision can name the file only when Asterisk's CALLREC_DIR is callrec's root for it. */
  async checkDialplan(): Promise<void> {
    const r = await this.http.request('GET', '/asterisk/variable', { variable: VAR.DIR });
    const dir = r.ok ? String((r.value as { value?: unknown } | null)?.value ?? '') : '';
    const root = this.cfg.pbxRecordingsDir.replace(/\/+$/, '');
    const was = this.sameRoot;
    this.sameRoot = dir.replace(/\/+$/, '') === root;
    if (!this.sameRoot && was !== this.sameRoot)
      this.logger.warn(
        `${VAR.DIR} is ${dir || 'unset'} but callrec plans files under ${root} (CALLREC_PBX_RECORDINGS_DIR): the gate sets the file itself, one request more per call`,
      );
  }

  /** Continue, on a kept-alive connection of the pipeline. */
  async continueCall(callId: string): Promise<Result<void, PbxError>> {
    const l = this.leaving.get(callId);
    const go: PipedRequest = {
      method: 'POST',
      path: `/channels/${encodeURIComponent(callId)}/continue`,
      query: l?.extension ? { context: 'callrec-gate', extension: l.extension, priority: '1' } : {},
    };
    const [went] = await this.pipe.send([go]);
    if (!went) return err({ kind: 'disconnected', detail: `POST ${go.path}: no answer` });
    if (!went.ok) return went;
    this.leaving.delete(callId);
    return ok(undefined);
  }

  /** The extension this call's decision continues into, remembered for its continue; null: none. */
  private carry(cmd: Extract<PbxCommand, { type: 'SetDecision' }>): string | null {
    const l = this.leaving.get(cmd.callId);
    const extension =
      l?.takes && (this.sameRoot || !cmd.record) ? decisionExtension(cmd, cmd.callId, this.cfg.pbxRecordingsDir) : null;
    if (l) l.extension = extension;
    return extension;
  }

  /** The decision and the continue in one request, written now; null when it needs variables first. */
  releaseNow(cmd: Extract<PbxCommand, { type: 'SetDecision' }>): Promise<Result<void, PbxError>> | null {
    return this.carry(cmd) ? this.continueCall(cmd.callId) : null;
  }

  async setDecision(cmd: Extract<PbxCommand, { type: 'SetDecision' }>): Promise<Result<void, PbxError>> {
    // The decision travels in continue when it can: nothing to send now.
    if (this.carry(cmd)) return ok(undefined);
    const vars: Record<string, string> = { [VAR.ACTION]: cmd.record ? 'record' : 'skip', [VAR.DECIDED]: '1' };
    if (cmd.record && cmd.file) {
      const options = mixMonitorOptions(cmd.recorder);
      if (!options.ok) return options;
      vars[VAR.FILE] = cmd.file;
      vars[VAR.OPTIONS] = options.value;
    }
    if (cmd.storedCallId !== null) vars[VAR.CALL_ID] = String(cmd.storedCallId);
    const id = encodeURIComponent(cmd.callId);
    // One POST /variables: two round trips after the prompt instead of five (measured ~2x).
    if (this.oneShotVars()) {
      const r = await this.http.request('POST', `/channels/${id}/variables`, {}, { variables: vars });
      return r.ok ? ok(undefined) : r;
    }
    for (const [variable, value] of Object.entries(vars)) {
      const r = await this.http.request('POST', `/channels/${id}/variable`, { variable, value });
      if (!r.ok) return r;
    }
    return ok(undefined);
  }
}
