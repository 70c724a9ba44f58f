// The live calls: routes PBX events to one CallSession per call, carries out what the session
// asks in order (store first, then the PBX), runs deadlines and the finalizer, and offers the
// live-call actions the API exposes.
import { CallSession } from '../domain/call-session';
import type { Command, PbxCommand, TimerName } from '../domain/commands';
import type { PbxEvent } from '../domain/pbx-events';
import type { FeatureAction } from '../domain/vocabulary';
import type { SessionEvent, SessionSettings } from '../domain/session-types';
import { retainUntil, type TierLengths } from '../domain/tiers';
import type { PbxError, PbxPort } from '../pbx/port';
import type { Decision, PolicyEngine } from '../policy/types';
import type { Store } from '../store';
import type { Logger } from '../util/logger';
import type { RecordingPublisher } from '../webhooks/publisher';
import { err, ok, type Result } from '../util/result';
import { finalizeFile, type FinalizeOptions, type FinalizeOutcome } from './finalizer';
import { adoptRecording, reconcileAfterReconnect } from './adoption';
import type { LiveCall, LiveCallControl, LiveCallError } from './live';
import { localPath, planFile } from './paths';
import { LIVE_RECORDING_STATES, persistSession, storedDecision, timelineEvent, type SyncContext, type TimelineEntry, type TrackedCall } from './store-sync';
import { decideWithin } from './decide';
import { NO_METRICS, type CallMetrics } from './observers';
import { persistDurably, settleDurably, timelineDurably, type DurableDeps } from './durable-writes';
import type { JournalWriter } from './journal-writer';

export interface RegistrySettings {
  node: string;
  recordingsDir: string;      // as callrec sees it
  pbxRecordingsDir: string;   // as the PBX sees it
  session: SessionSettings;
  tiers: TierLengths;
  policyTimeoutMs: number;
}

export interface RegistryDeps {
  port: PbxPort;
  store: Store;
  policy: () => Promise<PolicyEngine>;
  logger: Logger;
  settings: RegistrySettings;
  finalize?: (file: string, opts?: FinalizeOptions) => Promise<FinalizeOutcome>;
  metrics?: CallMetrics;
  /** recording.completed / recording.failed, published once the row says so. */
  publisher?: RecordingPublisher;
  /** The local journal: a write the database does not commit within boundMs goes there. */
  journal?: { writer: JournalWriter; boundMs: number };
  /** Encryption at rest: takes a settled recording off the call path (recordings/at-rest-worker.ts). */
  atRest?: { enqueue(recordingId: number): void };
}

interface Entry extends TrackedCall {
  queue: Promise<void>;
  timers: Map<TimerName, NodeJS.Timeout>;
  watch: Promise<Result<void, PbxError>> | null;
  gateAt: number | null;      // when the gate event arrived, until continue is acknowledged
}

export class CallRegistry implements LiveCallControl {
  private readonly calls = new Map<string, Entry>();
  private unsubscribe: (() => void) | null = null;
  private readonly sync: SyncContext;
  private readonly idle = new Set<Promise<void>>();
  private readonly metrics: CallMetrics;
  private readonly durable: DurableDeps | null;

  constructor(private readonly deps: RegistryDeps) {
    this.sync = { store: deps.store, node: deps.settings.node, pbx: deps.port.kind, pbxRoot: deps.settings.pbxRecordingsDir };
    this.metrics = deps.metrics ?? NO_METRICS;
    this.durable = deps.journal ? { sync: this.sync, journal: deps.journal.writer, boundMs: deps.journal.boundMs, logger: deps.logger } : null;
  }

  start(): void {
    this.unsubscribe = this.deps.port.onEvent((e) => this.dispatch(e));
  }

  /** Stops listening and waits for work in progress; timers are dropped (the sweep recovers). */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    for (const e of this.calls.values()) for (const t of e.timers.values()) clearTimeout(t);
    await Promise.allSettled([...this.calls.values()].map((e) => e.queue));
    await Promise.allSettled([...this.idle]);
  }

  /** Resolves when every queued step of every call has run (tests, shutdown). */
  async settled(): Promise<void> {
    let before = -1;
    while (before !== this.pending()) {
      before = this.pending();
      await Promise.allSettled([...this.calls.values()].map((e) => e.queue).concat([...this.idle]));
    }
  }

  private pending(): number { return [...this.calls.values()].length + this.idle.size; }

  dispatch(ev: PbxEvent): void {
    if (ev.type === 'LiveCallsListed') {
      // After the adoptions reported just before it: a call adopted meanwhile is not "lost".
      const adopting = Promise.allSettled([...this.idle]);
      return this.background(adopting.then(() => reconcileAfterReconnect(this.adoptionDeps(), ev.callIds, this.calls)));
    }
    if (ev.type === 'RecordingFound') {
      const known = this.calls.get(ev.callId);
      if (known) return this.enqueue(known, () => this.execPbx(known, { type: 'Watch', callId: ev.callId }).then(() => undefined));
      return this.background(adoptRecording(this.adoptionDeps(), ev));
    }
    const entry = this.calls.get(ev.callId);
    if (ev.type === 'GateEntered' && !entry) {
      const fresh = this.track({ pbxCallId: ev.callId, session: new CallSession(ev.callId, ev.facts, this.deps.settings.session), callRowId: null, recRowId: null, decision: null, startedAt: ev.at });
      // Local arrival time, not the PBX's timestamp: no clock skew. A call found waiting at reconnect waited for us, not the gate.
      fresh.gateAt = ev.swept ? null : Date.now();
      this.deps.logger.info('call entered the gate', { callId: ev.callId, flow: ev.facts.flow, applet: ev.facts.applet, problem: ev.problem ?? undefined });
      return this.enqueue(fresh, () => this.gate(fresh, ev.problem, ev.at, ev.swept));
    }
    if (entry) this.enqueue(entry, () => this.run(entry, ev).then(() => undefined));
  }

  private track(t: TrackedCall): Entry {
    const e: Entry = { ...t, queue: Promise.resolve(), timers: new Map(), watch: null, gateAt: null };
    this.calls.set(t.pbxCallId, e);
    return e;
  }

  private background(p: Promise<unknown>): void {
    const done = p.then(() => undefined, (e: unknown) => { this.deps.logger.error(`call registry: ${(e as Error).message}`); });
    this.idle.add(done);
    void done.finally(() => this.idle.delete(done));
  }

  private enqueue(e: Entry, step: () => Promise<void>): void {
    e.queue = e.queue.then(step).catch((x: unknown) => {
      this.deps.logger.error(`call step failed: ${(x as Error).message}`, { callId: e.pbxCallId });
    });
  }

  private async gate(e: Entry, problem: string | null, at: Date, swept: boolean): Promise<void> {
    const facts = e.session.view().facts;
    const d = problem || swept ? { decision: swept ? await this.storedGate(e) : null, reason: problem ?? 'found waiting in the gate at reconnect' } : await decideWithin(this.deps.policy, facts, this.deps.port.kind, this.deps.settings.policyTimeoutMs);
    e.decision = d.decision;
    this.metrics.gated(this.deps.port.kind, d.decision ? 'decided' : 'fallback');
    if (d.decision) this.metrics.decided(d.decision.record);
    const file = planFile(at, d.decision?.from ?? facts.from, d.decision?.to ?? facts.to, e.pbxCallId, this.deps.settings.pbxRecordingsDir);
    if (d.reason) this.deps.logger.warn(`gate falls back: ${d.reason}`, { callId: e.pbxCallId });
    await this.run(e, { type: 'Decided', callId: e.pbxCallId, at, decision: d.decision, reason: d.reason, file, immediate: problem !== null || swept, swept });
  }

  /**
   * A call found in the gate after a restart was usually stored by the controller that died: take
   * over its row (a second insert would break calls_node_pbx_call_uq) and the decision it got.
   */
  private async storedGate(e: Entry): Promise<Decision | null> {
    try {
      const stored = await this.deps.store.calls.findByPbxId(this.deps.settings.node, e.pbxCallId);
      if (!stored) return null;
      e.callRowId = stored.id;
      return storedDecision(stored.decision);
    } catch (x) {
      this.deps.logger.error(`could not read the stored call: ${(x as Error).message}`, { callId: e.pbxCallId });
      return null;
    }
  }

  /** One event through the session; returns the first PBX failure its commands met. */
  private async run(e: Entry, ev: SessionEvent): Promise<PbxError | null> {
    const before = e.session.view().state;
    const cmds = e.session.handle(ev);
    let failure: PbxError | null = null;
    for (let i = 0; i < cmds.length; i++) {
      const c = cmds[i] as Command;
      if (c.type === 'Persist') {
        // The timeline entries right after a Persist go in its transaction: one commit.
        const tl: TimelineEntry[] = [];
        for (let n = cmds[i + 1]; n?.type === 'Timeline'; n = cmds[++i + 1]) tl.push(n);
        await this.persist(e, c, tl);
        continue;
      }
      const f = await this.exec(e, c);
      failure ??= f;
    }
    const after = e.session.view().state;
    if (after !== before) this.deps.logger.info(`call ${after.replace('_', ' ')}`, { callId: e.pbxCallId, from: before, by: ev.type });
    if (e.session.isOver) this.forget(e);
    return failure;
  }

  private forget(e: Entry): void {
    for (const t of e.timers.values()) clearTimeout(t);
    e.timers.clear();
    if (this.calls.get(e.pbxCallId) === e) this.calls.delete(e.pbxCallId);
  }

  private async exec(e: Entry, c: Command): Promise<PbxError | null> {
    switch (c.type) {
      case 'Persist': return this.persist(e, c, []);
      case 'Timeline': return this.timeline(e, c.event, c.detail).then(() => null);
      case 'SetTimer': return this.setTimer(e, c.timer, c.ms);
      case 'ClearTimer': clearTimeout(e.timers.get(c.timer)); e.timers.delete(c.timer); return null;
      case 'Finalize': return this.finalize(e);
      default: return this.execPbx(e, c);
    }
  }

  private async execPbx(e: Entry, c: PbxCommand): Promise<PbxError | null> {
    if (c.type === 'Watch') {
      // Subscribing is not "go on": it runs alongside the store writes; Continue waits for it.
      e.watch = this.deps.port.execute(c);
      return null;
    }
    if (c.type === 'Continue' && e.watch) {
      const w = await e.watch;
      e.watch = null;
      if (!w.ok) this.deps.logger.warn(`could not subscribe to the call's events: ${w.error.detail}`, { callId: e.pbxCallId });
    }
    const cmd = c.type === 'SetDecision' ? { ...c, storedCallId: e.callRowId } : c;
    const r = await this.deps.port.execute(cmd);
    if (r.ok && c.type === 'Continue' && e.gateAt !== null) {
      this.metrics.gateLatency(this.deps.port.kind, (Date.now() - e.gateAt) / 1000);
      e.gateAt = null;
    }
    if (r.ok) return null;
    this.deps.logger.warn(`${c.type} failed: ${r.error.detail}`, { callId: e.pbxCallId, kind: r.error.kind });
    await this.run(e, { type: 'CommandFailed', callId: e.pbxCallId, at: new Date(), command: c.type, kind: r.error.kind, detail: r.error.detail });
    return r.error;
  }

  private async persist(e: Entry, c: Extract<Command, { type: 'Persist' }>, timeline: TimelineEntry[]): Promise<null> {
    try {
      await (this.durable ? persistDurably(this.durable, e, c.call, c.recording, timeline) : persistSession(this.sync, e, c.call, c.recording, timeline));
    } catch (x) {
      // Never hold a caller because the database is down: log loudly and go on.
      this.deps.logger.error(`could not store the call: ${(x as Error).message}`, { callId: e.pbxCallId });
    }
    return null;
  }

  private setTimer(e: Entry, timer: TimerName, ms: number): null {
    clearTimeout(e.timers.get(timer));
    e.timers.set(timer, setTimeout(() => {
      e.timers.delete(timer);
      this.enqueue(e, () => this.run(e, { type: 'TimerFired', callId: e.pbxCallId, at: new Date(), timer }).then(() => undefined));
    }, ms));
    return null;
  }

  private async timeline(e: Entry, type: string, detail: Record<string, unknown>): Promise<void> {
    if (this.durable) return timelineDurably(this.durable, this.deps.store, e, { event: type, detail });
    if (e.callRowId === null) return;
    try {
      await this.deps.store.events.append(timelineEvent(e.callRowId, e.recRowId, { event: type, detail }));
    } catch (x) {
      this.deps.logger.error(`could not store the timeline: ${(x as Error).message}`, { callId: e.pbxCallId });
    }
  }

  private async finalize(e: Entry): Promise<null> {
    const rec = e.session.view().recording;
    if (!rec || (e.recRowId === null && !e.journaled)) return null;
    const filePath = rec.file?.relPath ?? rec.pbxFile ?? '';
    const file = localPath(filePath, this.deps.settings.recordingsDir);
    const outcome = await (this.deps.finalize ?? finalizeFile)(file, { stereo: e.session.view().decision?.stereo ?? false });
    const endedAt = rec.endedAt ?? new Date();
    const tier = e.session.view().decision?.tier ?? 'standard';
    const ok = outcome.ok;
    const patch = outcome.ok
      ? { durationMs: outcome.durationMs, sizeBytes: outcome.sizeBytes, sha256: outcome.sha256, endedAt, pausedMs: rec.pausedMs, retainUntil: retainUntil(endedAt, tier, this.deps.settings.tiers) }
      : { failureReason: (rec.state === 'pending' || rec.startedAt === null ? `never confirmed by the PBX; ${outcome.reason}` : outcome.reason).slice(0, 255), endedAt, pausedMs: rec.pausedMs };
    const to = ok ? 'completed' : 'failed';
    const moved = this.durable ? await settleDurably(this.durable, this.deps.store, e, to, patch) : await this.deps.store.recordings.transition(e.recRowId ?? 0, LIVE_RECORDING_STATES, to, patch);
    this.deps.logger.info(ok ? 'recording completed' : 'recording failed', { callId: e.pbxCallId, recordingId: e.recRowId, file: filePath, ...(outcome.ok ? { durationMs: outcome.durationMs } : { reason: outcome.reason }) });
    await this.run(e, { type: 'Finalized', callId: e.pbxCallId, at: new Date(), outcome: ok ? 'completed' : 'failed', reason: outcome.ok ? null : outcome.reason });
    if (moved && e.recRowId !== null) await this.recordingSettled(e.recRowId, to);
    return null;
  }

  /** After the row says completed or failed (and the call row is written): count and publish it. */
  private async recordingSettled(recordingId: number, state: 'completed' | 'failed'): Promise<void> {
    this.metrics.recordingSettled(state);
    this.deps.atRest?.enqueue(recordingId);
    try {
      await this.deps.publisher?.publish(recordingId, state === 'completed' ? 'recording.completed' : 'recording.failed');
    } catch (x) {
      // The recording is safe in the store; POST /api/recordings/:id/resync can publish it later.
      this.deps.logger.error(`could not queue the recording.${state} webhook: ${(x as Error).message}`, { recordingId });
    }
  }

  private adoptionDeps() {
    return { store: this.deps.store, sync: this.sync, settings: this.deps.settings, logger: this.deps.logger, port: this.deps.port, finalize: this.deps.finalize ?? finalizeFile,
      settled: (recordingId: number, state: 'completed' | 'failed') => this.recordingSettled(recordingId, state),
      track: (t: TrackedCall, first: (tracked: TrackedCall) => Promise<void>) => { const e = this.track(t); this.enqueue(e, () => first(e)); },
      deliver: (e: TrackedCall, ev: SessionEvent) => { const entry = this.calls.get(e.pbxCallId); if (entry) this.enqueue(entry, () => this.run(entry, ev).then(() => undefined)); } };
  }

  /** A journaled call's rows reached the database: it gets its ids (live list, actions); its writes stay journaled. */
  journalApplied(pbxCallId: string, callId: number, recordingId: number | null): void {
    const e = this.calls.get(pbxCallId);
    if (!e?.journaled) return;
    e.callRowId ??= callId;
    e.recRowId ??= recordingId;
  }

  // ---- LiveCallControl ----

  list(): LiveCall[] {
    return [...this.calls.values()].filter((e) => e.callRowId !== null && !e.session.isOver).map((e) => this.live(e));
  }

  get(callId: number): LiveCall | null {
    const e = this.byRowId(callId);
    return e ? this.live(e) : null;
  }

  async act(callId: number, action: FeatureAction, actor: string): Promise<Result<LiveCall, LiveCallError>> {
    const e = this.byRowId(callId);
    if (!e) return err({ kind: 'not-found', detail: `no live call ${callId}` });
    const result = new Promise<Result<LiveCall, LiveCallError>>((resolve) => {
      this.enqueue(e, async () => {
        const refusal = e.session.refusal(action);
        if (refusal) return resolve(err(refusal));
        const failure = await this.run(e, { type: 'FeatureRequested', callId: e.pbxCallId, at: new Date(), action, by: actor });
        resolve(failure ? err({ kind: 'pbx', detail: `${action} failed: ${failure.detail}` }) : ok(this.live(e)));
      });
    });
    return result;
  }

  private byRowId(id: number): Entry | undefined {
    return [...this.calls.values()].find((e) => e.callRowId === id && !e.session.isOver);
  }

  private live(e: Entry): LiveCall {
    const v = e.session.view();
    const r = v.recording;
    const running = r?.pausedSince ? Date.now() - r.pausedSince.getTime() : 0;
    return {
      callId: e.callRowId ?? 0, pbxCallId: e.pbxCallId, state: v.state, direction: v.facts.direction,
      from: e.decision?.from ?? v.facts.from, to: e.decision?.to ?? v.facts.to, agent: v.agent, agents: v.agents, flow: v.facts.flow || null,
      applet: v.facts.applet || null, startedAt: e.startedAt, recordingId: e.recRowId, recordingState: r?.state ?? null,
      pauseAllowed: v.pauseAllowed, pausedMs: (r?.pausedMs ?? 0) + running,
    };
  }
}
