// `callrec test-call`: "does it work on my box?" One call through the installed gate, decided by
// the running controller (`callrec start`), a few seconds of tone recorded; prints the decision,
// the row and the file, then purges the test recording (audited as a test call).
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config';
import type { CallRecord, RecordingRecord } from '../domain/records';
import { createRetentionActions } from '../retention/actions';
import { tierLengths } from '../retention/schedule';
import { createStore, openDb, type Store } from '../store';
import { cliLogger, configOrReport, EXIT_CONFIG, type CliCommand, type CliIo } from './io';
import { placeTestCall, type TestCallRequest } from './test-call/place';

const USAGE = 'callrec test-call [--flow callrec-test] [--applet test-call] [--seconds 5]';
const REASON = 'callrec test-call';
const SETTLED: readonly string[] = ['done', 'not_recorded', 'failed'];
const LIVE: readonly string[] = ['pending', 'recording', 'paused', 'finalizing'];

function parseArgs(args: string[]): TestCallRequest | string {
  const req: TestCallRequest = { flow: 'callrec-test', applet: 'test-call', seconds: 5 };
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i], args[i + 1]];
    if (value === undefined || value.startsWith('--')) return `${flag ?? ''} needs a value`;
    if (flag === '--flow') req.flow = value;
    else if (flag === '--applet') req.applet = value;
    else if (flag === '--seconds' && /^\d+$/.test(value) && Number(value) >= 1 && Number(value) <= 60)
      req.seconds = Number(value);
    else return `unexpected argument "${flag ?? ''}${flag === '--seconds' ? ` ${value}` : ''}"`;
  }
  return req;
}

async function poll<T>(check: () => Promise<T | null>, ms: number): Promise<T | null> {
  for (const until = Date.now() + ms; Date.now() < until; await new Promise((r) => setTimeout(r, 200))) {
    const v = await check();
    if (v !== null) return v;
  }
  return null;
}

async function settledRows(
  store: Store,
  call: CallRecord,
  ms: number,
): Promise<{ call: CallRecord; recs: RecordingRecord[] } | null> {
  return poll(async () => {
    const now = await store.calls.get(call.id);
    if (!now || !SETTLED.includes(now.state) || now.endedAt === null) return null;
    const recs = await store.recordings.forCall(call.id);
    return recs.some((r) => LIVE.includes(r.state)) ? null : { call: now, recs };
  }, ms);
}

function describeDecision(call: CallRecord): string {
  const d = (call.decision ?? {}) as { source?: string; reasons?: string[]; fallback?: string | null };
  return `record ${call.recordMode ?? '?'}, consent ${call.consentMode ?? '?'} (${d.source ? `decided by ${d.source}` : 'no source'}${d.reasons?.length ? `: ${d.reasons.join('; ')}` : ''})`;
}

async function run(cfg: Config, req: TestCallRequest, io: CliIo): Promise<number> {
  const db = openDb(cfg.db.url);
  try {
    const store = createStore(db);
    const placed = await placeTestCall(cfg, req);
    if (!placed.ok) {
      io.err(`callrec test-call: ${placed.error}`);
      return 1;
    }
    io.out(`call         ${placed.value.how}: flow ${req.flow}, applet ${req.applet}, ${req.seconds} s of tone`);
    const row = await poll(() => store.calls.findByPbxId(cfg.node, placed.value.pbxCallId), 15_000);
    if (!row) {
      io.out(
        `FAIL         no call row within 15 s: the controller did not take the call (is callrec start running with this configuration, node ${cfg.node}?); the dialplan's fallback applied`,
      );
      return 1;
    }
    io.out(`decision     ${describeDecision(row)}`);
    const settled = await settledRows(store, row, (req.seconds + 60) * 1000);
    if (!settled) {
      io.out(`FAIL         call #${row.id} did not end within ${req.seconds + 60} s`);
      return 1;
    }
    io.out(
      `row          call #${settled.call.id} ${settled.call.state}, consent ${settled.call.consentOutcome ?? '-'}`,
    );
    const retention = createRetentionActions(store, {
      root: cfg.recordingsDir,
      lengths: tierLengths(cfg),
      logger: cliLogger(cfg),
    });
    for (const rec of settled.recs) {
      const file = path.isAbsolute(rec.filePath) ? rec.filePath : path.join(cfg.recordingsDir, rec.filePath);
      const size = fs.existsSync(file) ? fs.statSync(file).size : null;
      io.out(
        `recording    #${rec.id} ${rec.state}, ${((rec.durationMs ?? 0) / 1000).toFixed(1)} s, ${size === null ? 'file missing' : `${size} bytes`}: ${file}`,
      );
      const purged = await retention.deleteEarly(rec.id, REASON, REASON);
      io.out(
        purged.ok
          ? `purged       recording #${rec.id} and its file (test call)`
          : `FAIL         recording #${rec.id} not purged: ${purged.error.detail}`,
      );
    }
    if (settled.recs.length === 0) io.out('recording    none (the decision was not to record)');
    return settled.recs.every((r) => r.state === 'completed') ? 0 : 1;
  } finally {
    await db.close();
  }
}

export const testCall: CliCommand = {
  summary: 'place a call through the installed gate, record a few seconds of tone, print the result, purge it',
  usage: USAGE,
  async run(args, io) {
    const req = parseArgs(args);
    if (typeof req === 'string') {
      io.err(`callrec test-call: ${req}; usage: ${USAGE}`);
      return 2;
    }
    const cfg = configOrReport(io);
    if (!cfg) return EXIT_CONFIG;
    return run(cfg, req, io);
  },
};
