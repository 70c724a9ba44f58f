// npm run bench:retention [-- --rows 1000000 --batch 100 --rate 100 --phase-ms 10000]
// Seeds a dedicated MySQL database (dropped at the end) with `rows` recordings, 10% expired with a
// small file each, then measures purge throughput and the p99 of concurrent recording inserts
// during the purge against a floor measured in the same run without it.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type { Knex } from 'knex';
import { runRetention } from '../controller/src/retention/runner';
import { createStore, migrateLatest, openDb, type Store } from '../controller/src/store';
import { createLogger } from '../controller/src/util/logger';
import { mysqlAdmin } from './mysql-admin';

const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const ROWS = arg('rows', 1_000_000);
const BATCH = arg('batch', 100);
const RATE = arg('rate', 100); // concurrent inserts per second
const PHASE_MS = arg('phase-ms', 10_000); // length of the floor phase
const SEED_CHUNK = 5000;
const DUTY = arg('duty', 0.5); // share of time the purge works (RetentionDeps.dutyCycle)
const ROOT_URL = (process.env.CALLREC_BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306').replace(/\/$/, '');
const DAY = 86_400_000;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const ms = (n: number) => `${n.toFixed(2)} ms`;

const admin = (): Knex => mysqlAdmin(ROOT_URL);

async function seed(knex: Knex, root: string): Promise<number> {
  const now = Date.now();
  const [callId] = await knex('calls').insert({
    node: 'bench',
    pbx: 'asterisk',
    pbx_call_id: 'bench',
    direction: 'inbound',
    state: 'done',
    started_at: new Date(now),
    created_at: new Date(now),
    updated_at: new Date(now),
  });
  const q = (d: Date) => `'${d.toISOString().slice(0, 23).replace('T', ' ')}'`;
  const at = q(new Date(now));
  let expired = 0;
  // One session, foreign-key checks off, a few thousand rows per statement: the seed is not measured.
  await knex.transaction(async (trx) => {
    await trx.raw('set foreign_key_checks = 0');
    for (let start = 0; start < ROWS; start += SEED_CHUNK) {
      const values: string[] = [];
      for (let i = start; i < Math.min(ROWS, start + SEED_CHUNK); i++) {
        const isExpired = i % 10 === 0;
        const ended = new Date(now - (isExpired ? 200 : 10) * DAY - (i % 86_400) * 1000);
        const until = new Date(ended.getTime() + 180 * DAY);
        if (isExpired) expired++;
        values.push(
          `(${callId},'completed','${(i % 256).toString(16)}/r${i}.wav','from-answer','standard','inbound',${q(ended)},${q(ended)},44,${q(until)},${at},${at})`,
        );
      }
      await trx.raw(
        `insert into recordings (call_id,state,file_path,record_mode,tier,direction,started_at,ended_at,size_bytes,retain_until,created_at,updated_at) values ${values.join(',')}`,
      );
    }
  });
  const header = Buffer.alloc(44);
  for (let d = 0; d < 256; d++) fs.mkdirSync(path.join(root, d.toString(16)), { recursive: true });
  for (let i = 0; i < ROWS; i += 10) fs.writeFileSync(path.join(root, (i % 256).toString(16), `r${i}.wav`), header);
  return expired;
}

/** Inserts a new recording every 1000/RATE ms until stopped; returns each insert's latency. */
function inserter(store: Store, callId: number): { stop(): Promise<number[]> } {
  const lat: number[] = [];
  const pending: Array<Promise<void>> = [];
  let n = 0;
  const timer = setInterval(() => {
    const t0 = performance.now();
    pending.push(
      store.recordings
        .insert({
          callId,
          state: 'pending',
          filePath: `new/${n++}.wav`,
          recordMode: 'from-answer',
          tier: 'standard',
          channels: 1,
          beep: false,
          direction: 'inbound',
          fromNumber: '+13105550100',
          toNumber: '+12125550123',
          agent: '201',
          flow: 'sales',
          campaign: null,
        })
        .then(() => {
          lat.push(performance.now() - t0);
        }),
    );
  }, 1000 / RATE);
  return {
    stop: async () => {
      clearInterval(timer);
      await Promise.all(pending);
      return lat;
    },
  };
}

async function main(): Promise<void> {
  const name = `callrec_bench_${crypto.randomBytes(4).toString('hex')}`;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'callrec-bench-'));
  const a = admin();
  await a.raw(`create database \`${name}\``);
  const db = openDb(`${ROOT_URL}/${name}`);
  try {
    await migrateLatest(db.knex);
    const store = createStore(db);
    let t = performance.now();
    const expired = await seed(db.knex, root);
    console.log(
      `seeded ${ROWS} recordings (${expired} expired, ${expired} files of 44 B) in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );
    const callId = Number((await db.knex('calls').first('id'))?.id);

    const floor = inserter(store, callId);
    await new Promise((r) => setTimeout(r, PHASE_MS));
    const floorLat = await floor.stop();

    const logger = createLogger({ level: 'error', format: 'json', stream: new PassThrough().resume() });
    const batchRates: number[] = [];
    let last = performance.now();
    const hooks = {
      afterDelete: (ids: readonly number[]) => {
        const now = performance.now();
        batchRates.push(ids.length / ((now - last) / 1000));
        last = now;
      },
    };
    const during = inserter(store, callId);
    t = performance.now();
    const out = await runRetention(
      store,
      {
        root,
        node: 'bench',
        lengths: { standardDays: 180, extendedYears: 7 },
        batchSize: BATCH,
        logger,
        hooks,
        dutyCycle: DUTY,
      },
      { trigger: 'manual' },
    );
    const secs = (performance.now() - t) / 1000;
    const purgeLat = await during.stop();
    if (out.kind !== 'done') throw new Error(`locked by ${out.holder}`);
    const left = fs.readdirSync(root, { recursive: true }).filter((f) => String(f).endsWith('.wav')).length;

    const [f50, f99, p50, p99] = [pct(floorLat, 50), pct(floorLat, 99), pct(purgeLat, 50), pct(purgeLat, 99)];
    console.log(
      `purge: ${out.run.purged} recordings in ${secs.toFixed(1)} s = ${(out.run.purged / secs).toFixed(0)} recordings/s ` +
        `(median batch ${pct(batchRates, 50).toFixed(0)}/s, batch ${BATCH}, duty ${DUTY}); errors ${out.run.errors}, files left ${left}`,
    );
    console.log(`inserts at ${RATE}/s without purge: n=${floorLat.length} p50 ${ms(f50)} p99 ${ms(f99)}`);
    console.log(`inserts at ${RATE}/s during purge:  n=${purgeLat.length} p50 ${ms(p50)} p99 ${ms(p99)}`);
    console.log(
      `ratio during/without: p50 x${(p50 / f50).toFixed(2)}, p99 x${(p99 / f99).toFixed(2)} (target p99 <= x2; throughput target > 2000/s)`,
    );
  } finally {
    await db.close();
    await a.raw(`drop database if exists \`${name}\``);
    await a.destroy();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
