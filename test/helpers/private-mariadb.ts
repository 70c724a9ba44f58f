// A MariaDB of the test's own (own data directory under a tmp dir, own port, 127.0.0.1 only) that
// the test may freeze (SIGSTOP), thaw and kill -9: never the shared server on 3306.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import knexFactory from 'knex';
import type { TestDb } from './db';

const INSTALL = '/usr/bin/mariadb-install-db';
const SERVER = '/usr/sbin/mariadbd';

export const privateMariadbAvailable = fs.existsSync(INSTALL) && fs.existsSync(SERVER);

let template: string | null = null;
const QUIET = { warn() {}, error() {}, debug() {}, deprecate() {} };

/** mariadb-install-db once per test file (about 4 s); each server starts from a copy. */
function templateDir(): string {
  if (template) return template;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callrec-mariadb-tpl-'));
  // Its own tmpdir: bootstrap servers of parallel tests clashed over temp-table files in /tmp.
  fs.mkdirSync(`${dir}/tmp`);
  const r = spawnSync(
    INSTALL,
    [
      '--no-defaults',
      `--datadir=${dir}/data`,
      `--tmpdir=${dir}/tmp`,
      '--user=root',
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`mariadb-install-db failed: ${r.stderr || r.stdout}`);
  template = dir;
  return dir;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net
      .createServer()
      .listen(0, '127.0.0.1', () => {
        const port = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(port));
      })
      .on('error', reject);
  });
}

class PortTaken extends Error {}

export class PrivateMariadb {
  private proc: ChildProcess | null = null;

  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  get url(): string {
    return `mysql://root@127.0.0.1:${this.port}/callrec`;
  }
  get pid(): number {
    return this.proc?.pid ?? 0;
  }

  static async start(): Promise<PrivateMariadb> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callrec-mariadb-'));
    fs.cpSync(path.join(templateDir(), 'data'), path.join(dir, 'data'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'tmp'));
    // A free port can be taken by a parallel test's server before ours binds it (seen in CI: the
    // test then froze its own dead server and wrote to the other): try another port.
    let db = new PrivateMariadb(dir, await freePort());
    for (let attempt = 1; ; attempt++) {
      try {
        await db.launch();
        break;
      } catch (e) {
        if (!(e instanceof PortTaken) || attempt >= 5) throw e;
        db = new PrivateMariadb(dir, await freePort());
      }
    }
    const k = knexFactory({ client: 'mysql2', connection: { host: '127.0.0.1', port: db.port, user: 'root' } });
    try {
      await k.raw('create database if not exists callrec character set utf8mb4 collate utf8mb4_unicode_ci');
    } finally {
      await k.destroy();
    }
    return db;
  }

  /** Starts mariadbd on the data directory (again, after a kill: InnoDB recovers). */
  async launch(): Promise<void> {
    this.proc = spawn(
      SERVER,
      [
        '--no-defaults',
        `--datadir=${this.dir}/data`,
        `--tmpdir=${this.dir}/tmp`,
        '--user=root',
        '--bind-address=127.0.0.1',
        `--port=${this.port}`,
        `--socket=${this.dir}/mysqld.sock`,
        `--pid-file=${this.dir}/mysqld.pid`,
        '--skip-log-bin',
        '--innodb-buffer-pool-size=16M',
        '--innodb-flush-log-at-trx-commit=2',
        '--skip-name-resolve',
      ],
      { stdio: ['ignore', 'ignore', fs.openSync(path.join(this.dir, 'server.log'), 'a')] },
    );
    const end = Date.now() + 15_000;
    for (;;) {
      const k = knexFactory({
        client: 'mysql2',
        connection: { host: '127.0.0.1', port: this.port, user: 'root', connectTimeout: 500 },
        log: QUIET,
      });
      try {
        // The server that answers must be ours: another test's may hold the port.
        const [rows] = (await k.raw('select @@datadir as d')) as [Array<{ d: string }>];
        const theirs = path.resolve(String(rows[0]?.d ?? '')) !== fs.realpathSync(path.join(this.dir, 'data'));
        if (theirs) {
          this.proc?.kill('SIGKILL');
          throw new PortTaken(`port ${this.port} answers for another server (${rows[0]?.d})`);
        }
        return;
      } catch (e) {
        if (e instanceof PortTaken) throw e;
        if (Date.now() > end) throw new Error(`private mariadbd did not answer: ${(e as Error).message}`);
      } finally {
        await k.destroy();
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** SIGSTOP, and returns once every thread of the server is stopped. */
  freeze(): void {
    process.kill(this.pid, 'SIGSTOP');
    const end = Date.now() + 2000;
    while (this.state() !== 'stopped') {
      if (Date.now() > end) throw new Error(`private mariadbd ${this.pid} did not stop: ${this.state()}`);
    }
  }
  /** What the kernel says of the server process (and of every thread, for 'stopped'). */
  state(): 'stopped' | 'running' | 'gone' {
    const dir = `/proc/${this.pid}/task`;
    try {
      const states = fs
        .readdirSync(dir)
        .map((t) => fs.readFileSync(`${dir}/${t}/stat`, 'utf8').replace(/^.*\) /s, '')[0]);
      if (states.every((c) => c === 'T' || c === 't')) return 'stopped';
      return states.some((c) => c === 'Z' || c === 'X') ? 'gone' : 'running';
    } catch {
      return 'gone';
    }
  }
  thaw(): void {
    process.kill(this.pid, 'SIGCONT');
  }

  /** kill -9 and wait for the process to be gone. */
  async kill(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const gone = new Promise((r) => p.once('exit', r));
    process.kill(p.pid ?? 0, 'SIGCONT');
    process.kill(p.pid ?? 0, 'SIGKILL');
    await gone;
  }

  async stop(): Promise<void> {
    await this.kill();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The installed template, once the file's servers are gone. */
export function removePrivateMariadbTemplate(): void {
  if (template) fs.rmSync(template, { recursive: true, force: true });
  template = null;
}

/** The same server as a small handle: for tests that only kill and restart it. */
export interface PrivateMariaDb {
  port: number;
  /** A fresh database on this server, as a TestDb (its drop is a no-op once the server is gone). */
  database(name?: string): Promise<TestDb>;
  /** SIGKILL: the database is gone at once, as in a crash. */
  kill(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and removes its datadir. */
  destroy(): Promise<void>;
}

export async function startPrivateMariaDb(): Promise<PrivateMariaDb> {
  const m = await PrivateMariadb.start();
  return {
    port: m.port,
    kill: () => m.kill(),
    start: () => m.launch(),
    destroy: () => m.stop(),
    async database(name = `callrec_p_${Math.random().toString(16).slice(2, 10)}`) {
      const k = knexFactory({
        client: 'mysql2',
        connection: { host: '127.0.0.1', port: m.port, user: 'root' },
        log: QUIET,
      });
      try {
        await k.raw(`create database \`${name}\` character set utf8mb4 collate utf8mb4_unicode_ci`);
      } finally {
        await k.destroy();
      }
      return { kind: 'mysql', url: `mysql://root@127.0.0.1:${m.port}/${name}`, drop: async () => undefined };
    },
  };
}
