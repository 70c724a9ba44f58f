// `callrec start` as systemd or `docker stop` runs it: a real child process, stopped with SIGTERM
// while its PBX connections are up. Before the fix it logged "callrec stopped" and kept running
// until Asterisk dropped the AMI socket (the abort forgot the session before stop could close it).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { AmiSim } from '../helpers/asterisk/ami-sim';
import { startEslSim, type EslSim } from '../helpers/freeswitch/esl-sim';

const ROOT = path.join(__dirname, '..', '..');

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

function waitFor(check: () => boolean, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (check()) return resolve();
      if (Date.now() > until) return reject(new Error(`${what}: not within ${ms} ms`));
      setTimeout(tick, 20);
    };
    tick();
  });
}

/** Runs `callrec start` from the TypeScript sources (no build needed) with only the given settings. */
async function startCallrec(settings: Record<string, string>): Promise<{ child: ChildProcess; out: () => string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callrec-sig-'));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    CALLREC_DB_URL: `sqlite:${path.join(dir, 'db.sqlite3')}`,
    CALLREC_RECORDINGS_DIR: path.join(dir, 'rec'),
    CALLREC_HTTP_HOST: '127.0.0.1',
    CALLREC_HTTP_PORT: String(await freePort()),
    CALLREC_LOG_FORMAT: 'json',
    ...settings,
  };
  const child = spawn(
    process.execPath,
    [
      '-r',
      './scripts/swc-register.js',
      '-e',
      "require('./controller/src/cli/main.ts').main(['start']).then((c) => { process.exitCode = c; })",
    ],
    { cwd: ROOT, env },
  );
  let text = '';
  child.stdout?.on('data', (b: Buffer) => {
    text += b.toString();
  });
  child.stderr?.on('data', (b: Buffer) => {
    text += b.toString();
  });
  return { child, out: () => text };
}

/** SIGTERM; resolves with the exit code and how long the process took to go. */
async function terminate(child: ChildProcess): Promise<{ code: number | null; ms: number }> {
  const t0 = Date.now();
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  child.kill('SIGTERM');
  const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 8000).unref());
  const code = await Promise.race([exited, timeout]);
  if (code === 'timeout') {
    child.kill('SIGKILL');
    return { code: null, ms: Date.now() - t0 };
  }
  return { code, ms: Date.now() - t0 };
}

describe('callrec start stops on SIGTERM with every PBX socket closed', () => {
  it('Asterisk: AMI connected (ARI unreachable, still retrying): exits 0 within 5 s and closes the AMI socket', async () => {
    const ami = new AmiSim({ trace: 'q6-mixmonitor-mute-both' });
    await ami.listen();
    const clients: net.Socket[] = [];
    (ami as unknown as { server: net.Server }).server.on('connection', (s: net.Socket) => clients.push(s));
    const { child, out } = await startCallrec({
      CALLREC_PBX: 'asterisk',
      CALLREC_ARI_URL: `http://127.0.0.1:${await freePort()}`,
      CALLREC_ARI_USER: 'u',
      CALLREC_ARI_PASSWORD: 'p',
      CALLREC_AMI_HOST: '127.0.0.1',
      CALLREC_AMI_PORT: String(ami.port),
      CALLREC_AMI_USER: 'callrec',
      CALLREC_AMI_SECRET: 'callrec',
    });
    try {
      await waitFor(
        () => ami.actions.some((a) => a.Action === 'Login') && /connected to AMI/.test(out()),
        15000,
        'AMI login',
      );
      const { code, ms } = await terminate(child);
      expect({ code, out: code === 0 ? '' : out() }).toEqual({ code: 0, out: '' });
      expect(ms).toBeLessThan(5000);
      expect(clients.every((s) => s.destroyed || s.readableEnded)).toBe(true);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await ami.close();
    }
  }, 30000);

  it('FreeSWITCH: ESL connected: exits 0 within 5 s and closes the ESL socket', async () => {
    const esl: EslSim = await startEslSim();
    const { child, out } = await startCallrec({
      CALLREC_PBX: 'freeswitch',
      CALLREC_ESL_HOST: '127.0.0.1',
      CALLREC_ESL_PORT: String(esl.port),
      CALLREC_ESL_PASSWORD: 'ClueCon',
      CALLREC_ESL_LISTEN_HOST: '127.0.0.1',
      CALLREC_ESL_LISTEN_PORT: String(await freePort()),
    });
    try {
      await esl.waitForSubscribers(1, 15000);
      const { code, ms } = await terminate(child);
      expect({ code, out: code === 0 ? '' : out() }).toEqual({ code: 0, out: '' });
      expect(ms).toBeLessThan(5000);
      await waitFor(() => esl.clients() === 0, 2000, 'ESL socket closed');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await esl.close();
    }
  }, 30000);
});
