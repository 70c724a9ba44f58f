// The live calls: routes PBX events to one CallSession per call and carries out, in each call's
// own queue, what its session asks, in order (store first, then the PBX). What a step needs beyond
// that lives next door: the gate's decision (gate-decision.ts), settling a recording (settle.ts),
// calls found at reconnect (adoption.ts), the API's view of a live call (live-view.ts).
import { CallSession } from '../domain/call-session';
import type { Command, PbxCommand } from '../domain/commands';
import type { PbxEvent } from '../domain/pbx-events';
import type { SessionEvent } from '../domain/session-types';
import type { FeatureAction } from '../domain/vocabulary';
import { answerOf, type PbxError } from '../pbx/port';
import { err, messageOf, ok, type Result } from '../util/result';
import { resolveParty } from './party-lookup';
import { adoptRecording, reconcileAfterReconnect, type AdoptionDeps } from './adoption';
import { BackgroundWork, drain } from './background';
import { CallTimers } from './call-timers';
import { CallWrites } from './call-writes';
import { GateTraffic, TRAILING_WRITE_CAP_MS } from './gate-traffic';
import { arrivalLine, countGate, decideGate } from './gate-decision';
import { decideAtEntry, gateAtEntry, gateLeft, heldBy, letGo, releaseAtOnce } from './gate-entry';
import type { EntryDeps, GateEntry } from './gate-entry';
import { releasedExec, type Released } from './release-now';
import type { LiveCall, LiveCallControl, LiveCallError } from './live';
import { byRowId, liveCall, liveCalls } from './live-view';
import type { CallMetrics } from './observers';
import { RecordingSettler } from './settle';
import { commandFailed, runCommands } from './step-commands';
import { callWriters, type RegistryDeps } from './registry-deps';
import { newTracked, type CallTracker, type TrackedCall } from './types';
export type { RegistryDeps } from './registry-deps';

interface Entry extends GateEntry {
  queue: Promise<void>;
  timers: CallTimers;
  watch: Promise<Result<void, PbxError>> | null;
  arrival?: () => void; // writes the arrival's line once: see enter
}

export class CallRegistry implements LiveCallControl {
  private readonly calls = new Map<string, Entry>();
  private unsubscribe: (() => void) | null = null;
  private readonly idle: BackgroundWork;
  private readonly metrics: CallMetrics;
  private readonly writes: CallWrites;
  private readonly settler: RecordingSettler;
  private readonly entryDeps: EntryDeps<Entry>;
  private readonly adoption: AdoptionDeps;
  private readonly traffic = new GateTraffic<Entry>();
  private stopping = false;
  private readonly quiet = (e: Entry): Promise<void> => this.traffic.quiet(TRAILING_WRITE_CAP_MS, e);

  constructor(private readonly deps: RegistryDeps) {
    const { store, logger, settings, port } = deps;
    const { sync, metrics, writes, settler } = callWriters(deps);
    this.metrics = metrics;
    this.writes = writes;
    this.settler = settler;
    this.idle = new BackgroundWork((message) => logger.error(`call registry: ${message}`));
    const { policy, policyNow } = deps;
    const gate = { pbx: port.kind, store, policy, policyNow, logger, settings, metrics: this.metrics };
    this.entryDeps = { gate, port, writes, log: (e, level, msg, meta) => this.log(e, level, msg, meta) };
    const calls: CallTracker = {
      tracked: this.calls,
      track: (t, first) => {
        const e = this.track(t);
        this.enqueue(e, () => first(e));
      },
      deliver: (pbxCallId, ev) => {
        const e = this.calls.get(pbxCallId);
        if (e) this.deliver(e, ev);
      },
    };
    this.adoption = { store, sync, settings, logger, port, settler: this.settler, calls };
  }

  start(): void {
    this.unsubscribe = this.deps.port.onEvent((e) => this.dispatch(e));
  }

  /** Stops listening and waits for work in progress; timers are dropped, none set from now (the sweep recovers). */
  async stop(): Promise<void> {
    this.stopping = true;
    this.unsubscribe?.();
    for (const e of this.calls.values()) e.timers.clearAll();
    await this.settled();
  }

  /**
   * Resolves when every queued step of every call has run, and every step that background work
   * queued meanwhile (a party's lookup ending) too (tests, shutdown).
   */
  settled(): Promise<void> {
    return drain(() => [...[...this.calls.values()].map((e) => e.queue), ...this.idle.now()]);
  }

  /** Calls tracked plus background work: 0 once every call has ended and settled (tests). */
  readonly pending = (): number => this.calls.size + this.idle.size;

  dispatch(ev: PbxEvent): void {
    if (ev.type === 'LiveCallsListed') {
      // After the adoptions reported just before it: a call adopted meanwhile is not "lost".
      const adopting = Promise.allSettled(this.idle.now());
      return this.idle.add(adopting.then(() => reconcileAfterReconnect(this.adoption, ev.callIds, ev.askedAt)));
    }
    if (ev.type === 'RecordingFound') {
      const known = this.calls.get(ev.callId);
      const watch = { type: 'Watch', callId: ev.callId } as const;
      if (known) return this.enqueue(known, () => this.execPbx(known, watch).then(() => undefined));
      return this.idle.add(adoptRecording(this.adoption, ev));
    }
    const entry = this.calls.get(ev.callId);
    if (ev.type === 'GateEntered' && !entry) return this.enter(ev);
    // Swept from the gate, yet followed since that connection opened: its events come, not stuck.
    if (entry && !(ev.type === 'GateEntered' && entry.trackedAt >= (ev.openedAt ?? Infinity))) this.deliver(entry, ev);
  }

  private track(t: TrackedCall): Entry {
    const e: Entry = { ...t, queue: Promise.resolve(), timers: new CallTimers(), watch: null, gateAt: null };
    this.calls.set(t.pbxCallId, e);
    return e;
  }

  /** One event through the call's session, after the steps already queued. */
  private deliver(e: Entry, ev: SessionEvent): void {
    const step = () => this.run(e, ev).then(() => undefined);
    this.enqueue(e, ev.type === 'FeatureRequested' || ev.type === 'DtmfReceived' ? this.traffic.urgent(e, step) : step);
  }

  private enqueue(e: Entry, step: () => Promise<void>): void {
    e.queue = e.queue.then(step).catch((x: unknown) => this.stepFailed(e, x));
  }

  /** Logged; a call held in the gate, or whose early continue is unanswered, is let go and followed as lost. */
  private async stepFailed(e: Entry, x: unknown, released: Released | null = null): Promise<void> {
    const unread = this.traffic.has(e) ? released : null;
    if (!heldBy(e) && !unread) return this.log(e, 'error', `call step failed: ${messageOf(x)}`);
    this.traffic.leave(e);
    e.timers.clearAll(); // the failed session's: the lost one that follows sets none
    if (!(await letGo(this.entryDeps, e, x, unread))) this.forget(e);
  }

  /**
   * A call entered the gate: decided by the loaded rules and, when that records and asks nothing,
   * let go before it is even tracked (gateAtEntry); the rest of the step in its queue; else all of
   * it there. Until its continue, a step that throws lets the call go to the dialplan's fallback;
   * one that throws after the early continue, before its answer is read, lets it go with that.
   */
  private enter(ev: Extract<PbxEvent, { type: 'GateEntered' }>): void {
    // Local arrival time, not the PBX's timestamp: no clock skew. A call found waiting at reconnect waited for us, not the gate.
    const arrived = ev.swept ? null : Date.now();
    const early = gateAtEntry(this.entryDeps.gate, this.deps.port, ev);
    const session = new CallSession(ev.callId, ev.facts, this.deps.settings.session);
    const e = Object.assign(this.track(newTracked(ev.callId, session, ev.at)), { gateAt: arrived, gated: true });
    this.traffic.enter(e);
    const before = e.session.state;
    const { cmds, failed } = decideAtEntry(e, early.decided);
    const { released, differs } = releaseAtOnce(this.entryDeps, e, cmds, early);
    e.arrival = arrivalLine(this.deps.logger, ev); // off the gate's path; log() writes it first if sooner
    this.enqueue(e, async () => {
      if (released && (failed || differs)) return this.stepFailed(e, failed ?? differs, released);
      if (failed) throw failed;
      if (cmds) {
        countGate(this.entryDeps.gate, e, e.decision);
        await this.carryOut(e, before, cmds, 'Decided', released).catch((x) => this.stepFailed(e, x, released));
        return;
      }
      const decided = await decideGate(this.entryDeps.gate, e, ev.problem, ev.at, ev.swept);
      if (decided.reason) this.log(e, 'warn', `gate falls back: ${decided.reason}`);
      await this.run(e, decided);
    });
  }

  /** One event through the session; returns the first PBX failure its commands met. */
  private run(e: Entry, ev: SessionEvent): Promise<PbxError | null> {
    return this.carryOut(e, e.session.state, e.session.handle(ev), ev.type, null);
  }

  /** A step's commands carried out (`released`: its release already under way), then its state change logged. */
  private async carryOut(e: Entry, before: string, cmds: Command[], by: string, released: Released | null) {
    const exec = (c: Command) => this.exec(e, c);
    const run = released ? releasedExec(released, exec, (c, r) => this.answered(e, c, r)) : exec;
    const pastGate = !heldBy(e) && !cmds.some((c) => c.type === 'Continue');
    const failure = await runCommands(this.writes, e, cmds, run, () => this.quiet(e), pastGate);
    const after = e.session.state;
    if (after !== before) this.log(e, 'info', `call ${after.replace('_', ' ')}`, { from: before, by });
    if (e.session.isOver) this.forget(e);
    return failure;
  }

  /** A line about one call, after its arrival's line. */
  private log(e: Entry, level: 'info' | 'warn' | 'error', msg: string, meta: Record<string, unknown> = {}): void {
    e.arrival?.();
    this.deps.logger[level](msg, { callId: e.pbxCallId, ...meta });
  }

  private forget(e: Entry): void {
    this.traffic.leave(e);
    e.timers.clearAll();
    if (this.calls.get(e.pbxCallId) === e) this.calls.delete(e.pbxCallId);
  }

  private async exec(e: Entry, c: Command): Promise<PbxError | null> {
    switch (c.type) {
      case 'Persist':
        return this.writes.persist(e, c.call, c.recording, []).then(() => null);
      case 'Timeline':
        return this.writes.timeline(e, { event: c.event, detail: c.detail }).then(() => null);
      case 'SetTimer':
        if (!this.stopping)
          e.timers.set(c.timer, c.ms, () =>
            this.deliver(e, { type: 'TimerFired', callId: e.pbxCallId, at: new Date(), timer: c.timer }),
          );
        return null;
      case 'ClearTimer':
        e.timers.clear(c.timer);
        return null;
      case 'Finalize':
        return this.finalize(e);
      case 'ResolveParty':
        this.idle.add(resolveParty(this.deps.policy, c).then((ev) => this.deliver(e, ev)));
        return null;
      default:
        return this.execPbx(e, c);
    }
  }

  private async execPbx(e: Entry, c: PbxCommand): Promise<PbxError | null> {
    if (c.type === 'Watch') {
      // Subscribing is not "go on": it runs alongside the store writes; Continue waits for it.
      e.watch = this.deps.port.execute(c);
      return null;
    }
    if (c.type === 'Continue') {
      e.continued = true;
      const w = e.watch && (await answerOf(e.watch));
      e.watch = null;
      if (w && !w.ok) this.log(e, 'warn', `could not subscribe to the call's events: ${w.error.detail}`);
    }
    const cmd = c.type === 'SetDecision' ? { ...c, storedCallId: e.callRowId } : c;
    return this.answered(e, c, await this.deps.port.execute(cmd));
  }

  /** A PBX command's answer: the gate's latency at its continue, a failure back into the session. */
  private async answered(e: Entry, c: PbxCommand, r: Result<void, PbxError>): Promise<PbxError | null> {
    if (r.ok && c.type === 'Continue') gateLeft(this.entryDeps.gate, e);
    if (c.type === 'Continue') {
      this.traffic.leave(e);
      // A refused continue let nothing go (a gone channel needs nothing more): still held.
      if (!r.ok && r.error.kind !== 'not-found') e.continued = false;
    }
    if (r.ok) return null;
    this.log(e, 'warn', `${c.type} failed: ${r.error.detail}`, { kind: r.error.kind });
    await this.run(e, commandFailed(e.pbxCallId, c.type, r.error));
    return r.error;
  }

  /** The file is closed: settle the recording, tell the session, then announce it. */
  private async finalize(e: Entry): Promise<null> {
    if (!heldBy(e)) await this.quiet(e); // reading the file can wait for the callers in the gate
    const f = await this.settler.finalize(e);
    if (!f) return null;
    await this.run(e, f.event);
    await f.after();
    return null;
  }

  /** A journaled call's rows reached the database: it gets its ids (live list, actions); its writes stay journaled. */
  journalApplied(pbxCallId: string, callId: number, recordingId: number | null): void {
    const e = this.calls.get(pbxCallId);
    if (!e?.journaled) return;
    e.callRowId ??= callId;
    e.recRowId ??= recordingId;
  }

  list(): LiveCall[] {
    return liveCalls(this.calls.values());
  }

  get(callId: number): LiveCall | null {
    const e = byRowId(this.calls.values(), callId);
    return e ? liveCall(e) : null;
  }

  async act(callId: number, action: FeatureAction, actor: string): Promise<Result<LiveCall, LiveCallError>> {
    const e = byRowId(this.calls.values(), callId);
    if (!e) return err({ kind: 'not-found', detail: `no live call ${callId}` });
    return new Promise<Result<LiveCall, LiveCallError>>((resolve) => {
      const step = this.traffic.urgent(e, async () => {
        const refusal = e.session.refusal(action);
        if (refusal) return resolve(err(refusal));
        const ev = { type: 'FeatureRequested', callId: e.pbxCallId, at: new Date(), action, by: actor } as const;
        const failure = await this.run(e, ev);
        resolve(failure ? err({ kind: 'pbx', detail: `${action} failed: ${failure.detail}` }) : ok(liveCall(e)));
      });
      this.enqueue(e, step);
    });
  }
}
