// npm run bench:retention [-- --rows 1000000 --batch 150 --rate 100 --phase-ms 20000 --db NAME --days --inserts-apart --blame --json]
// --db NAME keeps the seeded database and reuses it on the next run (purged rows reset, files
// rewritten): the seed (~55 s for 1M rows) is not paid per run. --json ends with one summary line.
// Seeds a dedicated MySQL database (dropped at the end) with `rows` recordings, 10% expired with a
// small file each, then measures purge throughput and the p99 of concurrent recording inserts
// during the purge against a floor measured in the same run without it.
import { execFileSync, fork } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { PassThrough } from 'node:stream';
import type { Knex } from 'knex';
import type { Tier } from '../controller/src/domain/records';
import { retainUntil } from '../controller/src/domain/tiers';
import { runRetention } from '../controller/src/retention/runner';
import { createStore, migrateLatest, openDb, type Store } from '../controller/src/store';
import { createLogger } from '../controller/src/util/logger';
import { mysqlAdmin } from './mysql-admin';
import { numberArg } from './args';
import { Overlaps } from './overlap';
import { printSummary } from './summary';

const arg = numberArg;
const ROWS = arg('rows', 1_000_000);
const BATCH = arg('batch', 150); // CALLREC_RETENTION_BATCH's default
const RATE = arg('rate', 100); // concurrent inserts per second
const PHASE_MS = arg('phase-ms', 20_000); // length of the floor phase: ~2,000 inserts for its p99
const SEED_CHUNK = 5000;
const DUTY = arg('duty', 0.5); // share of time the purge works (RetentionDeps.dutyCycle)
const ROOT_URL = (process.env.CALLREC_BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306').replace(/\/$/, '');
const DAY = 86_400_000;
const KEEP_DB = (() => {
  const i = process.argv.indexOf('--db');
  return i > 0 ? String(process.argv[i + 1]) : null;
})();
/**
 * --days: files under the day directories callrec writes (calls/paths.ts: YYYY/MM/DD of the start),
 * so a batch's files share one or two directories; by default they are spread over 256, the worst
 * case for resolving each file's directory. A kept database is seeded for one layout: use another
 * --db name for the other.
 */
const DAYS = process.argv.includes('--days');
const TIME_ORDER = process.argv.includes('--time-order');
/**
 * --inserts-apart: the inserts run in a child process, sharing only the database (and the 2 cores)
 * with the purge: what the purge costs them through MySQL alone, not through the event loop.
 */
const APART = process.argv.includes('--inserts-apart');
/**
 * --blame: which of the purge's SQL statements and file passes the slowest inserts overlapped
 * (bench/overlap.ts); the inserts in this process only.
 */
const BLAME = process.argv.includes('--blame') && !APART;
const overlaps = new Overlaps();
/** The inserter's own statements, not the purge's. */
const INSERTER_SHAPES = new Set(['insert into recordings', 'select recordings']);
const INSERTS_CHILD = '--inserts-child';

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
  // One session, foreign-key checks off, a few thousand rows per statement: the seed is not measured.
  await knex.transaction(async (trx) => {
    await trx.raw('set foreign_key_checks = 0');
    for (let start = 0; start < ROWS; start += SEED_CHUNK) {
      const values: string[] = [];
      for (let i = start; i < Math.min(ROWS, start + SEED_CHUNK); i++) {
        const { ended, tier, until } = rowTimes(i, now);
        values.push(
          `(${callId},'completed','${fileOf(i, ended)}','from-answer','${tier}','inbound',${q(ended)},${q(ended)},44,${q(until)},${at},${at})`,
        );
      }
      await trx.raw(
        `insert into recordings (call_id,state,file_path,record_mode,tier,direction,started_at,ended_at,size_bytes,retain_until,created_at,updated_at) values ${values.join(',')}`,
      );
    }
  });
  return writeFiles(knex, root);
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
          const t1 = performance.now();
          lat.push(t1 - t0);
          if (BLAME) overlaps.insert(t0, t1);
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

/** A kept database from an earlier run, back to its seeded state; null when there is none to reuse. */
async function reset(knex: Knex, root: string): Promise<number | null> {
  const [row] = (await knex('recordings').count({ n: '*' }).whereNot('file_path', 'like', 'new/%')) as Array<{
    n: number | string;
  }>;
  if (Number(row?.n) !== ROWS) return null;
  await knex('recordings').where('file_path', 'like', 'new/%').delete();
  await knex('recordings').whereIn('state', ['purging', 'purged']).update({ state: 'completed' });
  await knex('recording_tombstones').delete();
  await knex('recording_events').delete();
  await knex('retention_runs').delete();
  await knex('locks').delete();
  return writeFiles(knex, root);
}

/**
 * When row i ended, its tier and retention. By default every tenth id is expired, their ends spread
 * over a day so the retention order jumps across the whole table (the worst case for the purge's
 * pages). --time-order: rows in the order callrec writes them, ids rising with time over 200 days
 * and a tenth on the 7-year tier, so the expired rows are the oldest ids with 7-year rows among
 * them. A kept database is seeded for one layout: use another --db name for the other.
 */
function rowTimes(i: number, now: number): { ended: Date; tier: Tier; until: Date } {
  if (!TIME_ORDER) {
    const ended = new Date(now - (i % 10 === 0 ? 200 : 10) * DAY - (i % 86_400) * 1000);
    return { ended, tier: 'standard', until: retainUntil(ended, 'standard') };
  }
  const old = Math.ceil(ROWS / 9); // older than 180 days: nine in ten of them expire
  const ended = new Date(now - 180 * DAY - ((old - i) * 20 * DAY) / old);
  const tier = i % 10 === 9 ? 'extended' : 'standard';
  return { ended, tier, until: retainUntil(ended, tier) };
}

/** Row i's file, relative to the root: ended is its end (the day directory's date under --days). */
function fileOf(i: number, ended: Date): string {
  return DAYS
    ? `${ended.toISOString().slice(0, 10).replace(/-/g, '/')}/r${i}.wav`
    : `${(i % 256).toString(16)}/r${i}.wav`;
}

/** The expired rows' files, where the seed put their paths; how many. */
async function writeFiles(knex: Knex, root: string): Promise<number> {
  const header = Buffer.alloc(44);
  const paths = (await knex('recordings')
    .where('state', 'completed')
    .where('retain_until', '<', new Date())
    .pluck('file_path')) as string[];
  const dirs = new Set(paths.map((p) => path.dirname(p)));
  for (const d of dirs) fs.mkdirSync(path.join(root, d), { recursive: true });
  for (const p of paths) fs.writeFileSync(path.join(root, p), header);
  // On disk before the floor: the kernel writes dirty files back 30 s after, which would land in
  // the measured phases (a purge's files were written months before it).
  const t0 = performance.now();
  execFileSync('sync');
  console.log(`files synced in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return paths.length;
}

/** Waits (up to 20 s; other databases on the server keep some dirty) for InnoDB to write back the seed's or reset's dirty pages: else that flush lands in the floor. */
async function settle(knex: Knex): Promise<void> {
  const t0 = performance.now();
  for (;;) {
    const [rows] = (await knex.raw("show global status like 'Innodb_buffer_pool_pages_dirty'")) as [
      Array<{ Value: string }>,
    ];
    const dirty = Number(rows[0]?.Value ?? 0);
    if (dirty < 1000 || performance.now() - t0 > 20_000) {
      console.log(`settled: ${dirty} dirty pages after ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      return;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Time per SQL statement shape (verb + table, bindings elided) during the purge, from knex's query events. */
function timeStatements(knex: Knex): { spent: Map<string, { n: number; ms: number }>; stop(): void } {
  const spent = new Map<string, { n: number; ms: number }>();
  const started = new Map<string, { at: number; shape: string }>();
  const shape = (sql: string) =>
    (
      /^\s*(select|update|insert into|delete from|begin|commit|rollback|start transaction)\b(?:.*?\b(?:from|into)?\s*`?(\w+)`?)?/i.exec(
        sql,
      ) ?? ['', sql.slice(0, 20)]
    )
      .slice(1)
      .filter(Boolean)
      .join(' ')
      .toLowerCase();
  const onQuery = (q: { __knexQueryUid: string; sql: string }) =>
    started.set(q.__knexQueryUid, { at: performance.now(), shape: shape(q.sql) });
  const onDone = (_r: unknown, q: { __knexQueryUid: string }) => {
    const s = started.get(q.__knexQueryUid);
    if (!s) return;
    started.delete(q.__knexQueryUid);
    const e = spent.get(s.shape) ?? { n: 0, ms: 0 };
    e.n += 1;
    e.ms += performance.now() - s.at;
    if (BLAME && !INSERTER_SHAPES.has(s.shape)) overlaps.step(s.shape, s.at, performance.now());
    spent.set(s.shape, e);
  };
  knex.on('query', onQuery).on('query-response', onDone);
  return {
    spent,
    stop: () => {
      knex.off('query', onQuery).off('query-response', onDone);
    },
  };
}

/** --blame: each locked batch's file passes (check, remove) as steps of the purge. */
function blameFiles(store: Store): void {
  const repo = store.retention;
  const purgeLocked = repo.purgeLocked.bind(repo);
  const timed =
    <A extends unknown[], R>(what: string, fn: (...a: A) => Promise<R>) =>
    async (...a: A): Promise<R> => {
      const t0 = performance.now();
      try {
        return await fn(...a);
      } finally {
        overlaps.step(what, t0, performance.now());
      }
    };
  repo.purgeLocked = (q, claim, files) =>
    purgeLocked(q, claim, {
      ...files,
      check: timed('files: check', files.check.bind(files)),
      remove: timed('files: remove', files.remove.bind(files)),
    });
}

/** Wall time spent in each named store call during the purge: where a batch's time goes. */
function timePhases(store: Store): Map<string, number> {
  const spent = new Map<string, number>();
  const wrap = <T extends object>(obj: T, label: string, method: keyof T & string) => {
    const o = obj as Record<string, unknown>;
    const fn = o[method] as (...a: unknown[]) => Promise<unknown>;
    o[method] = async (...a: unknown[]) => {
      const t0 = performance.now();
      try {
        return await fn.apply(obj, a);
      } finally {
        spent.set(label, (spent.get(label) ?? 0) + performance.now() - t0);
      }
    };
  };
  wrap(store.retention, 'select candidates', 'expired');
  wrap(store.retention, 'claim (mark purging)', 'claim');
  wrap(store.retention, 'tombstone + audit rows', 'tombstone');
  wrap(store.retention, 'locked batch (all of it)', 'purgeLocked');
  wrap(store.retentionRuns, 'run progress row', 'progress');
  return spent;
}

/** --inserts-apart: the same inserter in a child process, so only the database is shared with the purge. */
function inserterApart(name: string, callId: number): { stop(): Promise<number[]> } {
  const child = fork(__filename, [INSERTS_CHILD, name, String(callId)], {
    execArgv: process.execArgv,
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const got = new Promise<number[]>((resolve, reject) => {
    child.once('message', (m) => resolve(m as number[]));
    child.once('exit', (code) => reject(new Error(`the inserts' process exited (${code}) before reporting`)));
  });
  return {
    stop: async () => {
      child.send('stop');
      return got;
    },
  };
}

async function insertsChild(name: string, callId: number): Promise<void> {
  const db = openDb(`${ROOT_URL}/${name}`);
  const ins = inserter(createStore(db), callId);
  await new Promise<void>((r) => process.once('message', () => r()));
  process.send?.(await ins.stop());
  await db.close();
  process.disconnect();
}

async function main(): Promise<void> {
  const child = process.argv.indexOf(INSERTS_CHILD);
  if (child > 0) return insertsChild(String(process.argv[child + 1]), Number(process.argv[child + 2]));
  const name = KEEP_DB ?? `callrec_bench_${crypto.randomBytes(4).toString('hex')}`;
  const root = KEEP_DB
    ? path.join(os.tmpdir(), `${KEEP_DB}-files`)
    : fs.mkdtempSync(path.join(os.tmpdir(), 'callrec-bench-'));
  const a = admin();
  await a.raw(`create database if not exists \`${name}\``);
  const db = openDb(`${ROOT_URL}/${name}`);
  try {
    await migrateLatest(db.knex);
    const store = createStore(db);
    let t = performance.now();
    const reused = KEEP_DB ? await reset(db.knex, root) : null;
    const expired = reused ?? (await seed(db.knex, root));
    console.log(
      `${reused === null ? 'seeded' : 'reset'} ${ROWS} recordings (${expired} expired, ${expired} files of 44 B) in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );
    const callId = Number((await db.knex('calls').first('id'))?.id);
    await settle(db.knex);

    const newInserter = () => (APART ? inserterApart(name, callId) : inserter(store, callId));
    const floor = newInserter();
    const floorEld = monitorEventLoopDelay({ resolution: 5 });
    floorEld.enable();
    await new Promise((r) => setTimeout(r, PHASE_MS));
    const floorLat = await floor.stop();
    floorEld.disable();

    const logger = createLogger({ level: 'error', format: 'json', stream: new PassThrough().resume() });
    const batchRates: number[] = [];
    const spent = timePhases(store);
    const statements = timeStatements(db.knex);
    if (BLAME) blameFiles(store);
    let last = performance.now();
    const hooks = {
      afterDelete: (ids: readonly number[]) => {
        const now = performance.now();
        batchRates.push(ids.length / ((now - last) / 1000));
        last = now;
      },
    };
    const during = newInserter();
    const eld = monitorEventLoopDelay({ resolution: 5 });
    eld.enable();
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
    eld.disable();
    statements.stop();
    if (out.kind !== 'done') throw new Error(`locked by ${out.holder}`);
    const left = fs.readdirSync(root, { recursive: true }).filter((f) => String(f).endsWith('.wav')).length;

    const [f50, f99, p50, p99] = [pct(floorLat, 50), pct(floorLat, 99), pct(purgeLat, 50), pct(purgeLat, 99)];
    const rate = out.run.purged / secs;
    console.log(
      `purge: ${out.run.purged} recordings in ${secs.toFixed(1)} s = ${rate.toFixed(0)} recordings/s ` +
        `(median batch ${pct(batchRates, 50).toFixed(0)}/s, batch ${BATCH}, duty ${DUTY}); errors ${out.run.errors}, files left ${left}`,
    );
    const inStore = [...spent.values()].reduce((x, y) => x + y, 0);
    console.log(`where the purge's ${(secs * 1000).toFixed(0)} ms went (duty ${DUTY} of its database time):`);
    for (const [label, v] of spent) console.log(`  ${label.padEnd(24)} ${v.toFixed(0).padStart(7)} ms`);
    console.log(
      `  ${'files, rests, other'.padEnd(24)} ${(secs * 1000 - inStore).toFixed(0).padStart(7)} ms (remainder)`,
    );
    console.log('per statement (purge and inserts):');
    for (const [shape, e] of [...statements.spent].sort((x, y) => y[1].ms - x[1].ms))
      console.log(`  ${shape.padEnd(28)} n=${String(e.n).padStart(6)} ${e.ms.toFixed(0).padStart(7)} ms`);
    if (BLAME) for (const line of overlaps.report(t, t + secs * 1000)) console.log(line);
    console.log(
      `event-loop delay without purge: p99 ${ms(floorEld.percentile(99) / 1e6)}, max ${ms(floorEld.max / 1e6)}; ` +
        `during purge: p99 ${ms(eld.percentile(99) / 1e6)}, max ${ms(eld.max / 1e6)}`,
    );
    const inserts = `inserts at ${RATE}/s${APART ? ' (own process)' : ''}`;
    console.log(`${inserts} without purge: n=${floorLat.length} p50 ${ms(f50)} p99 ${ms(f99)}`);
    console.log(`${inserts} during purge:  n=${purgeLat.length} p50 ${ms(p50)} p99 ${ms(p99)}`);
    console.log(
      `ratio during/without: p50 x${(p50 / f50).toFixed(2)}, p99 x${(p99 / f99).toFixed(2)} (target: >= 5000/s at p99 <= x1.5)`,
    );
    printSummary('retention', [
      { figure: 'purge, recordings/s', value: rate, target: '>= 5000', pass: rate >= 5000 },
      {
        figure: 'insert p99 during purge, ms',
        value: p99,
        floor: f99,
        ratio: p99 / f99,
        target: 'ratio <= 1.5',
        pass: p99 / f99 <= 1.5,
      },
    ]);
  } finally {
    await db.close();
    if (!KEEP_DB) {
      await a.raw(`drop database if exists \`${name}\``);
      fs.rmSync(root, { recursive: true, force: true });
    }
    await a.destroy();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
