// Gives a file no row knows its call row, recording row and timeline entry, from what the file and
// its name say. A file without audio (0 bytes, header only, not a WAV) gets a `failed` row with
// the reason: every file has a row, and retention deletes it on the same schedule as the rest.
import crypto from 'node:crypto';
import path from 'node:path';
import { parseRecordingName, type NameFacts } from '../domain/disk-names';
import type { SettledState, Tier } from '../domain/records';
import { retainUntil, type TierLengths } from '../domain/tiers';
import type { PbxKind } from '../domain/vocabulary';
import type { Store } from '../store';
import { sha256File } from '../util/hash';
import { readWavInfo } from '../util/wav';
import type { DiskFile } from './scan';

/** The tier and normalized numbers the rules give a call with these facts (null: standard, raw). */
export type Classify = (
  facts: NameFacts | null,
) => Promise<{ tier: Tier; from: string | null; to: string | null } | null>;

export interface AdoptContext {
  store: Store;
  node: string;
  pbx: PbxKind;
  tiers: TierLengths;
  classify?: Classify;
}

export interface AdoptedFile {
  relPath: string;
  state: SettledState;
  /** Why it is failed, for a file without audio. */
  problem: string | null;
  durationMs: number | null;
  tier: Tier;
  callId: number | null;
  recordingId: number | null;
}

export const ADOPTED_FROM_DISK = 'adopted from disk';

export class AlreadyKnown extends Error {
  constructor(relPath: string) {
    super(`${relPath} has a row already`);
  }
}
const WHY = 'no row knew this file: recorded while callrec was down, or its row could not be stored';

/** What adopting the file would write; `write` false (dry run) reads the file and stops there. */
export async function adoptFile(ctx: AdoptContext, f: DiskFile, write: boolean): Promise<AdoptedFile> {
  const wav = await readWavInfo(f.absPath);
  const facts = parseRecordingName(path.posix.basename(f.relPath));
  const cls = (await ctx.classify?.(facts).catch(() => null)) ?? null;
  const tier = cls?.tier ?? 'standard';
  const durationMs = wav.ok ? wav.info.durationMs : null;
  const out: AdoptedFile = {
    relPath: f.relPath,
    state: wav.ok ? 'completed' : 'failed',
    problem: wav.ok ? null : wav.reason,
    durationMs,
    tier,
    callId: null,
    recordingId: null,
  };
  if (!write) return out;

  const sha256 = f.sizeBytes > 0 ? await sha256File(f.absPath) : null;
  // The file was last written when the recording ended; the name (if any) says when it began.
  const endedAt = f.mtime;
  const startedAt = facts?.startedAt ?? new Date(endedAt.getTime() - (durationMs ?? 0));
  const from = cls?.from ?? facts?.from ?? null;
  const to = cls?.to ?? facts?.to ?? null;
  // A name without the PBX's call id gets one from its path: a second pass or a concurrent
  // `callrec reconcile` then hits calls_node_pbx_call_uq instead of adding a second call.
  const pbxCallId = facts?.callId ?? `disk-${crypto.createHash('sha1').update(f.relPath).digest('hex').slice(0, 24)}`;
  const reason = `${ADOPTED_FROM_DISK}: ${WHY}`;
  await ctx.store.transaction(async (tx) => {
    // Another process's pass (callrec reconcile beside the controller) may have just adopted it.
    if ((await tx.recordings.knownPaths([f.relPath])).size > 0) throw new AlreadyKnown(f.relPath);
    const existing = await tx.calls.findByPbxId(ctx.node, pbxCallId);
    out.callId =
      existing?.id ??
      (await tx.calls.insertId({
        node: ctx.node,
        pbx: ctx.pbx,
        pbxCallId,
        direction: 'inbound',
        flow: null,
        applet: null,
        campaign: null,
        fromNumber: from?.slice(0, 32) ?? null,
        fromRaw: facts?.from ?? null,
        toNumber: to?.slice(0, 32) ?? null,
        toRaw: facts?.to ?? null,
        agent: null,
        language: null,
        state: out.state === 'completed' ? 'done' : 'failed',
        recordMode: 'from-ringing',
        consentMode: null,
        consentOutcome: 'fallback',
        fallbackReason: reason,
        decision: null,
        startedAt,
        endedAt,
      }));
    out.recordingId = await tx.recordings.insertId({
      callId: out.callId,
      state: out.state,
      filePath: f.relPath,
      recordMode: 'from-ringing',
      tier,
      channels: wav.ok ? wav.info.channels : 1,
      beep: false,
      direction: 'inbound',
      fromNumber: from?.slice(0, 32) ?? null,
      toNumber: to?.slice(0, 32) ?? null,
      agent: null,
      flow: null,
      campaign: null,
      startedAt,
    });
    await tx.recordings.update(out.recordingId, {
      endedAt,
      durationMs,
      sizeBytes: f.sizeBytes,
      sha256,
      failureReason: out.problem?.slice(0, 255) ?? null,
      retainUntil: retainUntil(endedAt, tier, ctx.tiers),
    });
    await tx.events.append({
      callId: out.callId,
      recordingId: out.recordingId,
      type: ADOPTED_FROM_DISK,
      actor: 'system',
      detail: { reason: WHY, file: f.relPath, problem: out.problem, by: 'reconcile' },
    });
  });
  return out;
}
