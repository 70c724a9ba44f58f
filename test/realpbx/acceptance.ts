// What the real-PBX acceptance suites share: waiting on the live system, the settled rows of a
// call, and checking a completed recording against its WAV (soxi).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { generateApiKey } from '../../controller/src/domain/api-keys';
import type { Controller } from '../../controller/src/main';
import type { Store } from '../../controller/src/store';

export function waitFor<T>(check: () => T | undefined | null | false | Promise<T | undefined | null | false>, ms: number, what: string): Promise<T> {
  const until = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = async () => {
      const v = await check();
      if (v) return resolve(v);
      if (Date.now() > until) return reject(new Error(`${what}: not within ${ms} ms`));
      setTimeout(() => void tick(), 50);
    };
    void tick();
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const soxi = (flag: string, file: string) => Number(execFileSync('soxi', [flag, file]).toString().trim());

interface RecordingRow { filePath: string; durationMs: number | null; state: string }

/** A recording row's file as this process reads it. */
export const fileOf = (rec: RecordingRow, root: string): string => (path.isAbsolute(rec.filePath) ? rec.filePath : path.join(root, rec.filePath));

/** The call's rows once the call row says it is over and no recording is still live. */
export function settledCall(store: Store, node: string, pbxCallId: string, ms = 30000) {
  return waitFor(async () => {
    const call = await store.calls.findByPbxId(node, pbxCallId);
    if (!call || !['done', 'not_recorded', 'failed'].includes(call.state) || call.endedAt === null) return null;
    const recs = await store.recordings.forCall(call.id);
    if (recs.some((r) => ['pending', 'recording', 'paused', 'finalizing'].includes(r.state))) return null;
    return { call, recs, events: await store.events.forCall(call.id) };
  }, ms, `call ${pbxCallId} settled`);
}

/** Completed, and its row's duration is the WAV's within 0.3 s; notes both under `name`. Returns the WAV's seconds. */
export function checkFile(rec: RecordingRow, root: string, figures: Record<string, unknown>, name: string): number {
  expect(rec.state).toBe('completed');
  const file = fileOf(rec, root);
  const wav = soxi('-D', file);
  expect(Math.abs((rec.durationMs ?? 0) / 1000 - wav)).toBeLessThanOrEqual(0.3);
  figures[name] = { ...(figures[name] as object), fileSeconds: wav, rowMs: rec.durationMs, channels: soxi('-c', file) };
  return wav;
}

/**
 * What `callrec install` changes on a PBX, undone: remembers every file under `dirs` (contents of
 * those under `keepContent`), and `restore()` deletes what appeared and puts back what changed.
 * Each suite leaves the PBX as it found it, so no suite depends on another's install.
 */
export function snapshotFiles(dirs: string[], keepContent: string[]): { restore(): string[] } {
  const list = (dir: string): string[] => {
    if (!fs.existsSync(dir)) return [];
    return fs.readdirSync(dir, { withFileTypes: true, recursive: true })
      .filter((e) => e.isFile() || e.isSymbolicLink())
      .map((e) => path.join(e.parentPath, e.name));
  };
  const before = new Set(dirs.flatMap(list));
  const contents = new Map(keepContent.flatMap(list).map((f) => [f, fs.readFileSync(f)] as const));
  return {
    restore() {
      const touched: string[] = [];
      for (const f of dirs.flatMap(list)) if (!before.has(f)) { fs.rmSync(f, { force: true }); touched.push(f); }
      for (const [f, data] of contents) {
        if (!fs.existsSync(f) || !fs.readFileSync(f).equals(data)) { fs.writeFileSync(f, data); touched.push(f); }
      }
      return touched;
    },
  };
}

/** Issue 14's rules over a suite's own: an account outbound setting that records, two campaigns, a DID and an on-demand applet. */
export const factsRules = (rules: string): string => `${rules.replace('  languages:', '  outbound: { record: from-answer, consent: none }\n  languages:')}
      did: { kind: dial, record: from-answer, consent: none }
      ondemand: { kind: dial, record: on-demand, consent: none }
campaigns:
  camp-x: { record: "off" }
  camp-y: { record: from-answer, consent: announce }
`;

/** An agent key for `agent`, over the controller's HTTP API, finds the recording in a search and plays it. */
export async function expectAgentListsAndPlays(c: Controller, recordingId: number, agent: string): Promise<void> {
  const { key, prefix, hash } = generateApiKey();
  // Key names are unique: one key per check, named by its prefix.
  await c.store.keys.insert({ name: `agent ${agent} ${prefix}`, prefix, hash, role: 'agent', agent });
  const get = (p: string) => fetch(`http://${c.address.host}:${c.address.port}/api${p}`, { headers: { Authorization: `Bearer ${key}` } });
  const list = await (await get('/recordings?limit=50')).json() as { items: Array<{ id: number }> };
  expect(list.items.map((r) => r.id)).toContain(recordingId);
  const audio = await get(`/recordings/${recordingId}/audio`);
  expect(audio.status).toBe(200);
  expect((await audio.arrayBuffer()).byteLength).toBeGreaterThan(44);
}

/** RMS amplitude (0..1) of one stretch of a file, all channels mixed, or one (1-based). */
export function channelRms(file: string, start: number, seconds: number, channel?: number): number {
  const args = [file, '-n', 'trim', String(start), String(seconds), ...(channel ? ['remix', String(channel)] : []), 'stat'];
  const out = spawnSync('sox', args, { encoding: 'utf8' }).stderr; // sox prints its stat on stderr
  return Number(/RMS\s+amplitude:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
}

type Settled = Awaited<ReturnType<typeof settledCall>>;

/** One recording; the call keeps the agent who answered, the transfer's joins its agents, and both list and play it. */
export async function expectTransferred(c: Controller, { call, recs, events }: Settled, first: string, next: string): Promise<void> {
  expect(recs).toHaveLength(1);
  expect(call.agent).toBe(first);
  const id = recs[0]?.id ?? 0;
  expect(await c.store.recordings.agentsOf(id)).toEqual(expect.arrayContaining([first, next]));
  expect(events.filter((e) => e.type === 'transfer').map((e) => e.detail?.agent)).toContain(next);
  for (const agent of [first, next]) await expectAgentListsAndPlays(c, id, agent);
}
