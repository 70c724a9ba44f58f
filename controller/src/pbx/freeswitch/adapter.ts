// FreeSWITCH over ESL: the outbound-socket gate (FreeSWITCH connects to us per call) and one
// inbound connection that watches every call and controls recorders with uuid_record.
import type { Config } from '../../config/types';
import type { PbxCommand } from '../../domain/commands';
import type { PbxEvent } from '../../domain/pbx-events';
import { beepProblem, PLAIN_RECORDER, type RecorderSpec } from '../../domain/recorder-spec';
import type { Logger } from '../../util/logger';
import { err, ok, type Result } from '../../util/result';
import { PbxEventHub } from '../event-hub';
import type { PbxError, PbxPort, PbxStatus } from '../port';
import { beepTones } from './beep';
import { CONFIRMATION, FeatureWatch, type FeaturePress } from './feature-codes';
import { EslInbound } from './esl/inbound';
import { GateServer, type GateChannel } from './esl/outbound';
import type { EslEvent, EslSession } from './esl/session';
import { gateFacts, toPbxEvent } from './events';
import { Announcements } from './announcements';
import { GatedCall, soundFile } from './gate';
import { Recorders } from './recorder';
import { fromFailure, judge } from './replies';
import { sweepChannels } from './sweep';
import { FEATURE_SUBCLASS, VAR, WATCH_EVENTS } from './dialplan-vars';

export interface FreeswitchAdapterOptions {
  commandTimeoutMs?: number;
  reorderWindowMs?: number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** Port for the gate listener (tests pass 0); defaults to esl.listenPort. */
  listenPort?: number;
}

export class FreeswitchAdapter implements PbxPort {
  readonly kind = 'freeswitch' as const;
  private readonly inbound: EslInbound;
  private readonly gateServer: GateServer;
  private readonly gates = new Map<string, GatedCall>();
  readonly recorders: Recorders;
  readonly announcements = new Announcements();
  private readonly features = new FeatureWatch();
  private started = false;
  gatePort: number | null = null;

  private readonly hub: PbxEventHub;

  constructor(
    private readonly cfg: Config,
    private readonly logger: Logger,
    opts: FreeswitchAdapterOptions = {},
  ) {
    this.hub = new PbxEventHub(logger);
    this.inbound = new EslInbound({
      host: cfg.esl.host,
      port: cfg.esl.port,
      password: cfg.esl.password,
      logger,
      commandTimeoutMs: opts.commandTimeoutMs,
      reorderWindowMs: opts.reorderWindowMs,
      backoffBaseMs: opts.backoffBaseMs,
      backoffCapMs: opts.backoffCapMs,
      events: WATCH_EVENTS,
      subclasses: [FEATURE_SUBCLASS],
      onConnected: (s) => this.sweep(s),
    });
    this.inbound.onEvent((e) => this.onWatched(e));
    this.recorders = new Recorders(
      (c) => this.inbound.api(c),
      (callId, detail) => this.logger.warn(detail, { callId }),
    );
    this.gateServer = new GateServer({
      host: cfg.esl.listenHost,
      port: opts.listenPort ?? cfg.esl.listenPort,
      logger,
      commandTimeoutMs: opts.commandTimeoutMs,
      onChannel: (ch) => this.onGate(ch),
    });
  }

  status(): PbxStatus {
    return this.started ? this.inbound.status() : 'stopped';
  }

  onEvent(handler: (e: PbxEvent) => void): () => void {
    return this.hub.on(handler);
  }

  private emit(e: PbxEvent): void {
    this.hub.emit(e);
  }

  async start(signal: AbortSignal): Promise<void> {
    this.started = true;
    const listening = await this.gateServer.listen();
    // Calls still flow without the gate: `socket` fails at once and the dialplan's fallback applies.
    if (listening.ok) this.gatePort = listening.value;
    else this.logger.error(`FreeSWITCH gate not available, calls get the dialplan fallback: ${listening.error}`);
    this.inbound.start(signal);
  }

  private onGate(ch: GateChannel): void {
    // A call without the snippet's variables is reported with the problem, as on Asterisk: the
    // registry stores it and releases it at once with the fallback.
    const { facts, problem } = gateFacts(ch.data, { language: this.cfg.defaults.language });
    const call = new GatedCall(ch, facts.language ?? this.cfg.defaults.language, this.cfg.esl.soundsDir);
    this.gates.set(ch.uuid, call);
    this.features.know(ch.uuid);
    void ch.closed.then(() => {
      if (this.gates.get(ch.uuid) === call) this.gates.delete(ch.uuid);
    });
    // Digits and prompt ends come from the call's own socket, in the switch's order.
    ch.onEvent((e) => {
      const base = { callId: ch.uuid, at: new Date() };
      const done = call.finishedPrompt(e);
      if (done?.hangupCause) return this.emit({ ...base, type: 'CallHungUp', cause: done.hangupCause });
      if (done)
        return this.emit({
          ...base,
          type: 'PromptFinished',
          promptId: done.promptId,
          ...(done.failure ? { failure: done.failure } : {}),
        });
      const ev = e['Event-Name'] === 'DTMF' ? toPbxEvent(e) : null;
      if (ev) this.emit(ev);
    });
    this.emit({ callId: ch.uuid, at: new Date(), type: 'GateEntered', facts, problem, swept: false });
  }

  private onWatched(e: EslEvent): void {
    const announced = this.announcements.ended(e.headers);
    if (announced) return this.emit(announced);
    const ev = toPbxEvent(e.headers, (problem, uuid) =>
      this.logger.warn(`dropped an ESL event: ${problem}`, { callId: uuid ?? undefined }),
    );
    const press = this.features.observe(e.headers);
    if (!ev) return;
    const gated = this.gates.get(ev.callId);
    if (ev.type === 'DtmfReceived' && gated) return; // the gate socket delivers these in order
    if (ev.type === 'RecordingStarted') this.features.know(ev.callId);
    if (ev.type === 'CallAnswered' && gated) gated.answered = true;
    if (ev.type === 'RecordingStarted' && ev.file) this.recorders.started(ev.callId, ev.file);
    if (ev.type === 'RecordingStopped' || ev.type === 'CallGone') this.recorders.stopped(ev.callId);
    if (ev.type === 'CallGone') this.gates.delete(ev.callId);
    this.emit(ev);
    if (press) this.featurePressed(press);
  }

  /** *48/*49/*44 on a followed call: tell the registry, and the presser hears the confirmation (as on Asterisk). */
  private featurePressed(p: FeaturePress): void {
    this.logger.info(`feature code: ${p.action}`, { callId: p.callId });
    this.emit({ callId: p.callId, at: new Date(), type: 'FeatureRequested', action: p.action, by: p.by });
    const sound = this.soundFile(CONFIRMATION[p.action]);
    void this.inbound.api(`uuid_broadcast ${p.presser} ${sound} aleg`).then((r) => {
      const j = judge('uuid_broadcast', r);
      if (!j.ok) this.logger.warn(`feature code confirmation not played: ${j.error.detail}`, { callId: p.callId });
    });
  }

  /** At (re)connect (sweep.ts): recordings found are controlled and watched from now on, as if we had started them. */
  private async sweep(session: EslSession): Promise<void> {
    for (const e of await sweepChannels(
      (c) => session.api(c),
      this.logger,
      (uuid, tones) => this.recorders.beeping(uuid, tones),
    )) {
      if (e.type === 'RecordingFound') {
        this.recorders.started(e.callId, e.file);
        this.features.know(e.callId);
      }
      this.emit(e);
    }
  }

  execute(cmd: PbxCommand): Promise<Result<void, PbxError>> {
    const gated = this.gates.get(cmd.callId);
    const api = async (what: string, line: string) => judge(what, await this.inbound.api(line));
    const id = cmd.callId;
    switch (cmd.type) {
      case 'Answer':
        return gated ? gated.answer() : api('uuid_answer', `uuid_answer ${id}`);
      case 'Play':
        return gated
          ? gated.play(cmd.promptId, cmd.sound, cmd.language)
          : api('uuid_broadcast', `uuid_broadcast ${id} ${this.soundFile(cmd.sound, cmd.language)} aleg`);
      case 'StopPrompt':
        return api('uuid_break', `uuid_break ${id}`);
      case 'SetDecision':
        return this.setDecision(cmd, gated, api);
      // The watching connection already sees every call: nothing to subscribe. When we die the
      // dialplan goes on by itself, so a call that must not be recorded without us says so now.
      case 'Watch': {
        if (gated)
          return cmd.neverRecordIfLost
            ? gated.setVariables({ [VAR.FALLBACK]: 'skip' })
            : Promise.resolve(ok(undefined));
        return this.exists(id);
      }
      case 'Continue': {
        // Already let go (a retry): fine while the call lives; gone is a hangup to the session.
        if (!gated) return this.exists(id);
        this.gates.delete(id);
        return gated.release();
      }
      case 'StartRecording':
        return this.record(id, gated, cmd.file, cmd.recorder);
      case 'PauseRecording':
        return this.recorders.pause(id, cmd.mode);
      case 'ResumeRecording': {
        const problem = beepProblem(cmd.recorder);
        return problem
          ? Promise.resolve(err({ kind: 'rejected', detail: problem }))
          : this.recorders.resume(id, cmd.mode, cmd.recorder);
      }
      case 'StopRecording':
        return this.recorders.stop(id);
      case 'Hangup':
        return api('uuid_kill', `uuid_kill ${id}`);
      // Both legs hear it; record_session on this leg keeps it in the file; its end is followed.
      case 'Announce':
        return this.announcements.play(id, cmd.promptId, this.soundFile(cmd.sound, cmd.language), api);
    }
  }

  /**
   * On Asterisk the dialplan starts MixMonitor after the gate; here the controller starts the
   * recording itself while it holds the call (record_session, or execute_on_answer for from-answer).
   */
  private async setDecision(
    cmd: Extract<PbxCommand, { type: 'SetDecision' }>,
    gated: GatedCall | undefined,
    api: (what: string, line: string) => Promise<Result<void, PbxError>>,
  ): Promise<Result<void, PbxError>> {
    const vars = decisionVariables(cmd);
    const set = gated
      ? await gated.setVariables(vars)
      : await api(
          'uuid_setvar_multi',
          `uuid_setvar_multi ${cmd.callId} ${Object.entries(vars)
            .map(([k, v]) => `${k}=${v}`)
            .join(';')}`,
        );
    if (!set.ok || !cmd.record || !cmd.file) return set;
    return this.record(cmd.callId, gated, cmd.file, cmd.recorder ?? PLAIN_RECORDER);
  }

  /** In the gate over the call's socket (which queues the beep's tones too), else with uuid_record. */
  private async record(
    callId: string,
    gated: GatedCall | undefined,
    file: string,
    spec: RecorderSpec,
  ): Promise<Result<void, PbxError>> {
    const problem = beepProblem(spec);
    if (problem) return err({ kind: 'rejected', detail: problem });
    if (!gated) return this.recorders.start(callId, file, spec);
    const r = await gated.startRecording({ file, recorder: spec });
    if (r.ok && spec.beepEverySeconds !== null)
      this.recorders.beeping(
        callId,
        beepTones(spec.beepEverySeconds).map((t) => t.path),
      );
    return r;
  }

  /** A call taken over after a restart: is it still there (its hangup may have come before we listened)? */
  private async exists(callId: string): Promise<Result<void, PbxError>> {
    const r = await this.inbound.api(`uuid_exists ${callId}`);
    if (!r.ok) return err(fromFailure(r.error));
    const answer = r.value.trim();
    if (answer === 'true') return ok(undefined);
    if (answer === 'false') return err({ kind: 'not-found', detail: `no channel ${callId} on the switch` });
    return err({ kind: 'rejected', detail: `uuid_exists: ${answer.slice(0, 80)}` });
  }

  private soundFile(sound: string, language: string | null = null): string {
    return soundFile(this.cfg.esl.soundsDir, language ?? this.cfg.defaults.language, sound);
  }

  async stop(): Promise<void> {
    await this.gateServer.close();
    await this.inbound.stop();
    this.started = false;
  }
}

/**
 * The decision as channel variables, lower-case as FreeSWITCH dialplans write them, plus the mark
 * the fallback checks, and the row id adoption reads back after a restart.
 */
export function decisionVariables(d: {
  record: boolean;
  file: string | null;
  storedCallId: number | null;
}): Record<string, string> {
  const out: Record<string, string> = { [VAR.ACTION]: d.record ? 'record' : 'skip' };
  if (d.file) out[VAR.FILE] = d.file;
  if (d.storedCallId !== null) out[VAR.CALL_ID] = String(d.storedCallId);
  out[VAR.DECIDED] = 'true';
  return out;
}
