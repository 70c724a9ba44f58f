// An API over a real store (MySQL or SQLite), a temporary recordings directory, fakes for the
// call registry and retention actions, and one key per role.
import fs from 'node:fs';
import type http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { createApi, type Api } from '../../controller/src/api/app';
import type { ApiDeps } from '../../controller/src/api/deps';
import { closeServer, createHttpApp, listen, type HttpDeps } from '../../controller/src/api/server';
import { webRouter } from '../../controller/src/api/web';
import { generateApiKey, type Role } from '../../controller/src/domain/api-keys';
import type { ConsentOutcome, RecordingRecord } from '../../controller/src/domain/records';
import type { Db, Store } from '../../controller/src/store';
import type { NewRecording } from '../../controller/src/store/recordings-repo';
import { createLogger } from '../../controller/src/util/logger';
import { FakeLive } from '../fakes/live';
import { createRetentionActions } from '../../controller/src/retention/actions';
import { DEFAULT_TIER_LENGTHS } from '../../controller/src/domain/tiers';
import { openTestStore, type TestDb } from './db';

export interface ApiHarness {
  store: Store;
  db: Db;
  dbUrl: string;
  root: string;
  api: Api;
  live: FakeLive;
  keys: Record<'admin' | 'supervisor' | 'agent' | 'otherAgent', string>;
  url(p: string): string;
  get(p: string, key?: string, headers?: Record<string, string>): Promise<Response>;
  send(method: string, p: string, key: string, body?: unknown): Promise<Response>;
  addRecording(
    over?: Partial<NewRecording> & {
      startedAt?: Date;
      file?: string | Buffer | null;
      sizeBytes?: number;
      consentOutcome?: ConsentOutcome;
    },
  ): Promise<RecordingRecord>;
  logs: string[];
  close(): Promise<void>;
}

/** Each test key's id by its name (ops, lead, alice, bob): actors are written "name (role, key N)". */
export async function keyIdsByName(h: Pick<ApiHarness, 'store'>): Promise<Record<string, number>> {
  return Object.fromEntries((await h.store.keys.list()).map((k) => [k.name, k.id]));
}

/** A harness for one describe block, started before its tests and closed after them. */
export function apiForSuite(kind: 'mysql' | 'sqlite', over: Parameters<typeof startApi>[1] = {}) {
  const suite = { h: undefined as unknown as ApiHarness, keyId: {} as Record<string, number> };
  beforeAll(async () => {
    suite.h = await startApi(kind, over);
    suite.keyId = await keyIdsByName(suite.h);
  });
  afterAll(async () => {
    await suite.h?.close();
  });
  return suite;
}

export async function startApi(
  kind: 'mysql' | 'sqlite',
  over: Partial<ApiDeps> | ((store: Store, logger: ApiDeps['logger']) => Partial<ApiDeps>) = {},
  httpOver: Partial<HttpDeps> = {},
  testDb?: TestDb,
): Promise<ApiHarness> {
  const { tdb, db, store } = await openTestStore(kind, testDb);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'callrec-api-'));
  const logs: string[] = [];
  const stream = new PassThrough();
  stream.on('data', (c: Buffer) => logs.push(...c.toString().trim().split('\n')));
  const logger = createLogger({ level: 'debug', format: 'json', stream });
  const live = new FakeLive();
  const deps: ApiDeps = {
    store,
    logger,
    recordingsDir: root,
    defaultCountry: 'US',
    bodyLimitBytes: 2048,
    costPerMinute: 0.01,
    live,
    retention: createRetentionActions(store, { root, lengths: DEFAULT_TIER_LENGTHS, logger }),
    webhooks: {
      publish: async () => [],
      resync: async () => ({ ok: false, error: { kind: 'no-urls', detail: 'none configured' } }),
    },
    ...(typeof over === 'function' ? over(store, logger) : over),
  };
  const api = createApi(deps);
  const server: http.Server = await listen(
    createHttpApp({
      logger,
      pingDb: () => store.ping(),
      pbxStatus: () => 'connected',
      routers: [...api.routers, { path: '/', router: webRouter() }],
      ...httpOver,
    }),
    '127.0.0.1',
    0,
  );
  const port = (server.address() as { port: number }).port;

  const mint = async (role: Role, name: string, agent: string | null = null) => {
    const k = generateApiKey();
    await store.keys.insert({ name, prefix: k.prefix, hash: k.hash, role, agent });
    return k.key;
  };
  const keys = {
    admin: await mint('admin', 'ops'),
    supervisor: await mint('supervisor', 'lead'),
    agent: await mint('agent', 'alice', '201'),
    otherAgent: await mint('agent', 'bob', '202'),
  };
  const url = (p: string) => `http://127.0.0.1:${port}${p}`;
  const auth = (key?: string): Record<string, string> => (key ? { Authorization: `Bearer ${key}` } : {});
  let seq = 0;

  return {
    store,
    db,
    dbUrl: tdb.url,
    root,
    api,
    live,
    keys,
    url,
    logs,
    get: (p, key, headers = {}) => fetch(url(p), { headers: { ...auth(key), ...headers } }),
    send: (method, p, key, body) =>
      fetch(url(p), {
        method,
        headers: { ...auth(key), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      }),
    async addRecording(o = {}) {
      seq += 1;
      const startedAt = o.startedAt ?? new Date(Date.UTC(2026, 10, 22, 10, 0, seq));
      const call = await store.calls.insert({
        node: 'pbx1',
        pbx: 'asterisk',
        pbxCallId: `c-${seq}-${Math.random()}`,
        direction: o.direction ?? 'inbound',
        flow: o.flow ?? 'sales',
        applet: 'dial',
        campaign: o.campaign ?? null,
        fromNumber: o.fromNumber ?? '+13105550100',
        fromRaw: '3105550100',
        toNumber: o.toNumber ?? '+12125550123',
        toRaw: '2125550123',
        agent: o.agent ?? '201',
        language: 'en',
        state: 'done',
        recordMode: 'from-answer',
        consentMode: 'announce',
        consentOutcome: o.consentOutcome ?? 'announced',
        decision: { recordMode: 'from-answer', reasons: ['applet rule sales/dial'] },
        startedAt,
      });
      const rel = o.filePath ?? `2026/11/22/rec-${seq}.wav`;
      const content = o.file === undefined ? Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 256)) : o.file;
      if (content !== null) {
        fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
        fs.writeFileSync(path.join(root, rel), content);
      }
      const rec = await store.recordings.insert({
        callId: call.id,
        state: o.state ?? 'completed',
        filePath: rel,
        recordMode: 'from-answer',
        tier: o.tier ?? 'standard',
        channels: 1,
        beep: false,
        direction: call.direction,
        fromNumber: call.fromNumber,
        toNumber: call.toNumber,
        agent: call.agent,
        flow: call.flow,
        campaign: call.campaign,
        startedAt,
      });
      await store.recordings.update(rec.id, {
        durationMs: 90_000,
        sizeBytes: o.sizeBytes ?? (content ? content.length : 0),
        endedAt: new Date(startedAt.getTime() + 90_000),
      });
      return (await store.recordings.get(rec.id)) as RecordingRecord;
    },
    async close() {
      await closeServer(server);
      await db.close();
      await tdb.drop();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
