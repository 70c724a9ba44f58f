// How a call leaves the gate on Asterisk: the decision (in the continue itself when the installed
// dialplan takes it there, else as variables first) and the subscription that keeps the call's
// events coming after Stasis, sent with the continue in one round trip.
import type { Config } from '../../config/types';
import type { PbxCommand } from '../../domain/commands';
import type { Logger } from '../../util/logger';
import { ok, type Result } from '../../util/result';
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
   * argument), whether to subscribe as they leave, and the extension their decision continues into.
   */
  private readonly leaving = new Map<string, { takes: boolean; watch: boolean; extension: string | null }>();

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
    if (!this.leaving.has(callId)) this.leaving.set(callId, { takes, watch: false, extension: null });
  }

  /**
   * True when the subscription can wait for the continue (sent with it): a call in Stasis is seen
   * by the application anyway. A call outside the gate (adopted) must be subscribed at once.
   */
  defersWatch(callId: string): boolean {
    const l = this.leaving.get(callId);
    if (l) l.watch = true;
    return l !== undefined;
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

  /** Subscribe (when asked) and continue, pipelined on one connection: one round trip. */
  async continueCall(callId: string): Promise<Result<void, PbxError>> {
    const l = this.leaving.get(callId);
    const id = encodeURIComponent(callId);
    const go: PipedRequest = {
      method: 'POST',
      path: `/channels/${id}/continue`,
      query: l?.extension ? { context: 'callrec-gate', extension: l.extension, priority: '1' } : {},
    };
    const subscribe: PipedRequest = {
      method: 'POST',
      path: `/applications/${encodeURIComponent(this.cfg.ari.app)}/subscription`,
      query: { eventSource: `channel:${callId}` },
      notFound: [422],
    };
    const answers = await this.pipe.send(l?.watch ? [subscribe, go] : [go]);
    const went = answers[answers.length - 1] as Result<unknown, PbxError>;
    if (l?.watch && answers[0] && !answers[0].ok)
      this.logger.warn(`could not subscribe to the call's events: ${answers[0].error.detail}`, { callId });
    if (!went.ok) return went;
    this.leaving.delete(callId);
    return ok(undefined);
  }

  async setDecision(cmd: Extract<PbxCommand, { type: 'SetDecision' }>): Promise<Result<void, PbxError>> {
    // The decision travels in continue when it can: nothing to send now.
    const l = this.leaving.get(cmd.callId);
    const extension =
      l?.takes && (this.sameRoot || !cmd.record) ? decisionExtension(cmd, cmd.callId, this.cfg.pbxRecordingsDir) : null;
    if (l) l.extension = extension;
    if (extension) return ok(undefined);
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
