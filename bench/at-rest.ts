// npm run bench:at-rest [-- --files 100 --minutes 1 --workers 2 --reads 300]
// Encryption at rest against a plain copy of the same files, in the same run: `files` one-speaker
// 8 kHz 16-bit WAVs of `minutes` each, sealed by the real pool (SQLite rows, fsync, rename,
// unlink) vs read-copy-fsync-unlink with the same width. Then Range reads as the API does them
// (authenticate the range, then stream it) on sealed vs plain files: a 64 KiB seek and the
// open-ended `bytes=N-` a browser player sends. Opus transcoding (the pool's ffmpeg call) when ffmpeg exists.
import crypto from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { AtRestWorker } from '../controller/src/recordings/at-rest-worker';
import { Keyring, masterKeyId } from '../controller/src/recordings/keyring';
import { openStoredAudio } from '../controller/src/recordings/stored-audio';
import { findFfmpeg, transcode } from '../controller/src/recordings/transcode';
import { mapLimited } from './map-limited';
import { createStore, migrateLatest, openDb } from '../controller/src/store';
import { silentLogger } from '../controller/src/util/logger';
import { doneCall } from '../test/helpers/rows';
import { quantile } from './stats';
import { numberArg } from './args';
import { printSummary, type SummaryRow } from './summary';

const arg = numberArg;
const FILES = arg('files', 100);
const MINUTES = arg('minutes', 1);
const WORKERS = arg('workers', 2);
const READS = arg('reads', 300);
const BYTES = 44 + MINUTES * 60 * 8000 * 2;
const MB = 1024 * 1024;

/** 8 kHz mono 16-bit PCM, the format the PBX writes (ffmpeg reads it for the Opus figure). */
function wavHeader(data: number): Buffer {
  const b = Buffer.alloc(44);
  b.write('RIFF', 0);
  b.writeUInt32LE(36 + data, 4);
  b.write('WAVE', 8);
  b.write('fmt ', 12);
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(8000, 24);
  b.writeUInt32LE(16000, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36);
  b.writeUInt32LE(data, 40);
  return b;
}

async function writeWavs(dir: string): Promise<string[]> {
  await fs.mkdir(dir, { recursive: true });
  const names: string[] = [];
  for (let i = 0; i < FILES; i++) {
    const b = crypto.randomBytes(BYTES); // noise: no compression anywhere can flatter a figure
    wavHeader(BYTES - 44).copy(b);
    const name = `r${i}.wav`;
    await fs.writeFile(path.join(dir, name), b);
    names.push(name);
  }
  return names;
}

async function plainCopy(dir: string, names: string[]): Promise<number> {
  const t0 = performance.now();
  await mapLimited(names, WORKERS, async (n) => {
    const src = path.join(dir, n);
    const dst = `${src}.copy`;
    await pipeline(createReadStream(src), createWriteStream(dst, { flags: 'wx' }));
    const h = await fs.open(dst, 'r');
    await h.sync();
    await h.close();
    await fs.unlink(src);
  });
  return performance.now() - t0;
}

async function readP95(
  open: () => Promise<Awaited<ReturnType<typeof openStoredAudio>>>,
  openEnded: boolean,
): Promise<{ p50: number; p95: number }> {
  const times: number[] = [];
  for (let i = 0; i < READS; i++) {
    const t0 = performance.now();
    const a = await open();
    const start = crypto.randomInt(0, a.size - 1);
    const end = openEnded ? a.size - 1 : Math.min(a.size - 1, start + 65_535);
    await a.verify(start, end);
    for await (const _ of a.bytes(start, end)) {
      /* streamed */
    }
    await a.close();
    times.push(performance.now() - t0);
  }
  return { p50: quantile(times, 0.5), p95: quantile(times, 0.95) };
}

async function opusThroughput(dir: string, names: string[]): Promise<string> {
  const ffmpeg = await findFfmpeg('ffmpeg');
  if (!ffmpeg) return 'Opus transcoding: not measured (ffmpeg not installed)';
  const sample = names.slice(0, 20);
  const t0 = performance.now();
  await mapLimited(sample, WORKERS, (n) => transcode(ffmpeg, path.join(dir, n), path.join(dir, `${n}.opus`), 'opus'));
  const s = (performance.now() - t0) / 1000;
  const size = (await fs.stat(path.join(dir, `${sample[0]}.opus`))).size;
  return `Opus transcoding (16 kbit/s, ${sample.length} files, ${WORKERS} wide): ${(sample.length / s).toFixed(1)} recordings/s; ${(size / MINUTES / 1000).toFixed(1)} kB per recorded minute (${((1 - size / BYTES) * 100).toFixed(1)}% less than WAV)`;
}

async function main(): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'callrec-bench-atrest-'));
  try {
    const db = openDb(`sqlite:${path.join(dir, 'db.sqlite3')}`);
    await migrateLatest(db.knex);
    const store = createStore(db);
    const key = crypto.randomBytes(32);
    const keyring = new Keyring(() => [{ id: masterKeyId(key), key }]);

    const plainDir = path.join(dir, 'plain');
    const plainNames = await writeWavs(plainDir);
    const copyMs = await plainCopy(plainDir, plainNames);

    const root = path.join(dir, 'rec');
    const names = await writeWavs(root);
    const call = await store.calls.insert(
      doneCall('bench', { node: 'bench', consentOutcome: 'not-required', startedAt: new Date() }),
    );
    for (const n of names)
      await store.recordings.insert({
        callId: call.id,
        state: 'completed',
        filePath: n,
        recordMode: 'from-answer',
        tier: 'standard',
        channels: 1,
        beep: false,
        direction: 'inbound',
        fromNumber: null,
        toNumber: null,
        agent: null,
        flow: null,
        campaign: null,
      });
    const t0 = performance.now();
    const counts = await new AtRestWorker({
      store,
      root,
      keyring,
      workers: WORKERS,
      logger: silentLogger(),
      reconcileEveryMs: 0,
    }).reconcile();
    const sealMs = performance.now() - t0;
    if (counts.sealed !== FILES) throw new Error(`sealed ${counts.sealed} of ${FILES}`);

    const total = (FILES * BYTES) / MB;
    const rate = (msTaken: number) =>
      `${(FILES / (msTaken / 1000)).toFixed(1)} recordings/s, ${(total / (msTaken / 1000)).toFixed(1)} MB/s`;
    const rec = (await store.recordings.forCall(call.id))[0]!;
    const sealedFile = path.join(root, rec.filePath);
    const sealedSize = (await fs.stat(sealedFile)).size;
    const plainFile = path.join(plainDir, `${plainNames[0]}.copy`);
    const openSealed = () => openStoredAudio(rec, sealedFile, sealedSize, keyring);
    const openPlain = () => openStoredAudio({ id: 0, keyId: null, wrappedKey: null }, plainFile, BYTES, null);
    const lines = [
      `${FILES} recordings of ${MINUTES} min (${(BYTES / MB).toFixed(2)} MB each, ${total.toFixed(0)} MB), ${WORKERS} workers, node ${process.version}, ${os.cpus().length} CPUs`,
      `plain copy (read, write, fsync, unlink): ${rate(copyMs)}`,
      `encryption (seal, fsync, rename, row, unlink): ${rate(sealMs)}  (${(sealMs / copyMs).toFixed(2)}x the copy's time)`,
      `stored size per recorded minute: WAV ${(BYTES / MINUTES / 1000).toFixed(1)} kB, sealed ${(sealedSize / MINUTES / 1000).toFixed(1)} kB (+${(((sealedSize - BYTES) / BYTES) * 100).toFixed(3)}%)`,
    ];
    const summary: Array<Omit<SummaryRow, 'bench'>> = [
      {
        figure: 'encryption, recordings/s',
        value: FILES / (sealMs / 1000),
        floor: FILES / (copyMs / 1000),
        ratio: sealMs / copyMs,
        note: 'floor: a plain copy; ratio in time',
      },
    ];
    for (const [label, openEnded] of [
      ['64 KiB seek', false],
      ['bytes=N- (player)', true],
    ] as const) {
      const p = await readP95(openPlain, openEnded);
      const s = await readP95(openSealed, openEnded);
      summary.push({ figure: `Range read ${label}, p95 ms`, value: s.p95, floor: p.p95, ratio: s.p95 / p.p95 });
      lines.push(
        `Range read ${label}, ${READS} reads: plain p50 ${p.p50.toFixed(2)} ms p95 ${p.p95.toFixed(2)} ms; encrypted p50 ${s.p50.toFixed(2)} ms p95 ${s.p95.toFixed(2)} ms`,
      );
    }
    lines.push(
      await opusThroughput(
        plainDir,
        plainNames.map((n) => `${n}.copy`),
      ),
    );
    for (const l of lines) process.stdout.write(`${l}\n`);
    printSummary('at-rest', summary);
    await db.close();
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

void main().catch((e: Error) => {
  process.stderr.write(`bench:at-rest: ${e.message}\n`);
  process.exitCode = 1;
});
