// What the real-PBX acceptance suites share: waiting on the live system, the settled rows of a
// call, and checking a completed recording against its WAV (soxi).
import { execFileSync } from 'node:child_process';
import path from 'node:path';
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
