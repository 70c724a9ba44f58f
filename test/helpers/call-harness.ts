// What both PBX harnesses (asterisk/gate-harness.ts, freeswitch/gate-harness.ts) build a
// controller's call path with: a migrated store, the registry as main.ts builds it over any PBX
// port, a fixed policy, WAV files as the PBX writes them, and waiting for a condition.
import type { UserRule } from '../../controller/src/domain/user-mode';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CallMetrics } from '../../controller/src/calls/observers';
import { CallRegistry } from '../../controller/src/calls/registry';
import type { SessionSettings } from '../../controller/src/domain/session-types';
import type { PbxPort } from '../../controller/src/pbx/port';
import type { CallFacts, Decision, PolicyEngine } from '../../controller/src/policy/types';
import type { Db, Store } from '../../controller/src/store';
import { silentLogger, type Logger } from '../../controller/src/util/logger';
import type { RecordingPublisher } from '../../controller/src/webhooks/publisher';
import { openTestStore, type TestDb } from './db';
import { gateDecision } from './gate-decision';
import { pcmWav } from './wav';

export function decision(over: Partial<Decision> = {}): Decision {
  const gate = gateDecision() as Omit<Decision, 'from' | 'to' | 'jurisdictions' | 'reasons'>;
  return { ...gate, from: '+13105550100', to: '+12125550123', jurisdictions: [], reasons: ['test rule'], ...over };
}

/** A small fixed engine: one Decision per applet name. */
/** An engine that decides by applet name; `users`: agents' recording modes. */
export function fixedEngine(byApplet: Record<string, Decision>, users: UserRule[] = []): PolicyEngine {
  return {
    decide: (f: CallFacts) => byApplet[f.applet ?? ''] ?? decision({ record: 'off', consent: 'none', greeting: null }),
    user: (agent) => users.find((u) => u.id === agent) ?? null,
    party: (number) => ({ consent: 'none', jurisdiction: null, why: `${number}: no jurisdiction in this test engine` }),
  };
}

/** 8 kHz mono 16-bit PCM WAV, the format the PBX writes; seconds = 0 gives the 44-byte header only. */
export function writeWav(file: string, seconds: number): void {
  const data = Math.round(seconds * 8000) * 2;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, pcmWav(Buffer.alloc(data), 8000, 1));
}

/** What the registry is built with, whichever PBX adapter feeds it. */
export interface RegistryOptions {
  engine?: PolicyEngine;
  /** The policy provider (e.g. a RulesService over the harness's store); wins over engine. */
  policy?: (store: Store) => () => Promise<PolicyEngine>;
  /** The rules as `callrec start` reads them (a RulesService over the harness's store): loaded rules decide at once. */
  rules?: (store: Store) => { engine(): Promise<PolicyEngine>; engineNow(): PolicyEngine | null };
  session?: Partial<SessionSettings>;
  metrics?: CallMetrics;
  /** Builds the publisher over the harness's store (a real WebhookWorker, say). */
  publisher?: (store: Store) => RecordingPublisher;
  /** Encryption at rest over the harness's store and recordings directory. */
  atRest?: (store: Store, dir: string) => { enqueue(recordingId: number): void };
  /** The registry's logger (silent by default). */
  logger?: Logger;
}

/** A migrated store on a fresh database and a recordings directory, shared by both PBX harnesses. */
export interface HarnessStore {
  store: Store;
  db: Db;
  tdb: TestDb;
  dir: string;
}

export async function openHarnessStore(
  kind: 'sqlite' | 'mysql' = 'sqlite',
): Promise<HarnessStore & { dispose(): Promise<void> }> {
  const { tdb, db, store, dispose } = await openTestStore(kind);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callrec-rec-'));
  return {
    store,
    db,
    tdb,
    dir,
    dispose: async () => {
      await dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The gate's timings in the harness: short, so a test waits little for a deadline or a key. */
export const HARNESS_SESSION: SessionSettings = {
  deadlineMs: 2000,
  promptAllowanceMs: 5000,
  dtmfTimeoutMs: 300,
  finalizeGraceMs: 500,
  fallback: 'skip',
  pauseMode: 'silence',
};

/** The registry as main.ts builds it, over any PBX port, started (listening to the port). */
export function startRegistry(port: PbxPort, h: HarnessStore, o: RegistryOptions): CallRegistry {
  const engine = o.engine ?? fixedEngine({});
  const rules = o.rules?.(h.store);
  const registry = new CallRegistry({
    port,
    store: h.store,
    policy: rules ? () => rules.engine() : (o.policy?.(h.store) ?? (async () => engine)),
    // As main.ts builds it: rules already loaded decide at once (the gate's shortest path).
    policyNow: rules ? () => rules.engineNow() : o.policy ? undefined : () => engine,
    logger: o.logger ?? silentLogger(),
    settings: {
      node: 'pbx1',
      recordingsDir: h.dir,
      pbxRecordingsDir: h.dir,
      policyTimeoutMs: 1000,
      tiers: { standardDays: 180, extendedYears: 7 },
      session: { ...HARNESS_SESSION, ...o.session },
    },
    finalize: undefined,
    ...(o.metrics ? { metrics: o.metrics } : {}),
    ...(o.publisher ? { publisher: o.publisher(h.store) } : {}),
    ...(o.atRest ? { atRest: o.atRest(h.store, h.dir) } : {}),
  });
  registry.start();
  return registry;
}

export async function until(cond: () => boolean | Promise<boolean>, ms = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
