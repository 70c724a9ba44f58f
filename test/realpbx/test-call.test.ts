// `callrec doctor` and `callrec test-call` on the real PBXes, as an admin runs them after
// `callrec install`: the controller runs in this process (as `callrec start` would), the CLI
// commands run against the same configuration. Asterisk runs when CALLREC_IT_ARI_URL is set,
// FreeSWITCH when CALLREC_IT_ESL_HOST is; run under /tmp/realpbx.lock (see HELPERS / README).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../controller/src/config';
import { startController, type Controller } from '../../controller/src/main';
import { parseRulesYaml } from '../../controller/src/policy/flows-yaml';
import { EslSession } from '../../controller/src/pbx/freeswitch/esl/session';
import { AmiSession } from '../../controller/src/pbx/asterisk/ami/session';
import { createStore, openDb } from '../../controller/src/store';
import { createLogger, silentLogger } from '../../controller/src/util/logger';
import { runCli } from '../helpers/cli';
import { snapshotFiles, waitFor } from './acceptance';

const env = process.env;
const ARI_URL = env.CALLREC_IT_ARI_URL;
const ESL_HOST = env.CALLREC_IT_ESL_HOST;
if (!ARI_URL)
  console.info(
    'test/realpbx/test-call (Asterisk): skipped (set CALLREC_IT_ARI_URL, CALLREC_IT_AMI_*, CALLREC_IT_ASTERISK_ETC/SOUNDS/RECORDINGS to run)',
  );
if (!ESL_HOST)
  console.info(
    'test/realpbx/test-call (FreeSWITCH): skipped (set CALLREC_IT_ESL_HOST, CALLREC_IT_ESL_PASSWORD, CALLREC_IT_FS_CONF/SOUNDS/RECORDINGS to run)',
  );

const SECONDS = 4;
const log = () => (env.CALLREC_IT_LOG ? createLogger({ level: 'debug', format: 'json' }) : silentLogger());

interface Pbx {
  name: string;
  env: Record<string, string>;
  recordings: string;
  /** What `callrec install` writes (every file), and which of those it edits (their contents kept). */
  installs: [string[], string[]];
  install(extraArgs: string[]): string[];
  /** Runs a CLI command on the PBX (dialplan reload, reloadxml). */
  command(cmd: string): Promise<string>;
  /** Takes the installed gate dialplan out and reloads; returns how to put it back. */
  uninstallGate(): Promise<void>;
}

async function amiCommand(cmd: string): Promise<string> {
  const s = await AmiSession.open(
    {
      host: env.CALLREC_IT_AMI_HOST ?? '127.0.0.1',
      port: Number(env.CALLREC_IT_AMI_PORT ?? 5038),
      user: env.CALLREC_IT_AMI_USER ?? 'callrec',
      secret: env.CALLREC_IT_AMI_SECRET ?? 'callrec',
    },
    () => {},
    5000,
    'off',
  );
  if (!s.ok) throw new Error(s.error);
  const r = await s.value.send('Command', { Command: cmd }, 10000);
  s.value.close('done');
  if (!r.ok) throw new Error(r.error.detail);
  return r.value.Output ?? '';
}

async function eslApi(cmd: string): Promise<string> {
  const s = await EslSession.connect({
    host: ESL_HOST ?? '',
    port: Number(env.CALLREC_IT_ESL_PORT ?? 8021),
    password: env.CALLREC_IT_ESL_PASSWORD ?? 'ClueCon',
    logger: silentLogger(),
  });
  if (!s.ok) throw new Error(s.error.detail);
  const r = await s.value.api(cmd, 10000);
  s.value.close('done');
  if (!r.ok) throw new Error(r.error.detail);
  return r.value;
}

const ETC = env.CALLREC_IT_ASTERISK_ETC ?? '/etc/asterisk';
const AST_RECORDINGS =
  env.CALLREC_IT_ASTERISK_RECORDINGS ?? env.CALLREC_IT_RECORDINGS ?? '/var/spool/asterisk/callrec-it';
const asterisk: Pbx = {
  name: 'Asterisk',
  // Its own directory: the shared one holds the other suites' files, which doctor rightly reports as orphans here.
  recordings: path.join(AST_RECORDINGS, `test-call-${process.pid}`),
  installs: [[ETC, env.CALLREC_IT_ASTERISK_SOUNDS ?? '/var/lib/asterisk/sounds'], [ETC]],
  env: {
    CALLREC_ARI_URL: ARI_URL ?? '',
    CALLREC_ARI_USER: env.CALLREC_IT_ARI_USER ?? 'callrec',
    CALLREC_ARI_PASSWORD: env.CALLREC_IT_ARI_PASSWORD ?? 'callrec',
    CALLREC_ARI_APP: 'callrec-it-tc',
    CALLREC_AMI_HOST: env.CALLREC_IT_AMI_HOST ?? '127.0.0.1',
    CALLREC_AMI_PORT: env.CALLREC_IT_AMI_PORT ?? '5038',
    CALLREC_AMI_USER: env.CALLREC_IT_AMI_USER ?? 'callrec',
    CALLREC_AMI_SECRET: env.CALLREC_IT_AMI_SECRET ?? 'callrec',
  },
  install: (extra) => [
    'install',
    'asterisk',
    '--etc',
    ETC,
    '--sounds',
    env.CALLREC_IT_ASTERISK_SOUNDS ?? '/var/lib/asterisk/sounds',
    ...extra,
  ],
  command: amiCommand,
  async uninstallGate() {
    fs.writeFileSync(path.join(ETC, 'extensions_callrec.conf'), '; emptied by test/realpbx/test-call\n');
    await amiCommand('dialplan reload');
  },
};

const FS_CONF = env.CALLREC_IT_FS_CONF ?? '/usr/local/freeswitch/conf';
const FS_RECORDINGS = env.CALLREC_IT_FS_RECORDINGS ?? '/usr/local/freeswitch/recordings/callrec-it';
const freeswitch: Pbx = {
  name: 'FreeSWITCH',
  recordings: path.join(FS_RECORDINGS, `test-call-${process.pid}`),
  installs: [[FS_CONF, env.CALLREC_IT_FS_SOUNDS ?? '/usr/local/freeswitch/sounds'], [FS_CONF]],
  env: {
    CALLREC_PBX: 'freeswitch',
    CALLREC_ESL_HOST: ESL_HOST ?? '',
    CALLREC_ESL_PORT: env.CALLREC_IT_ESL_PORT ?? '8021',
    CALLREC_ESL_PASSWORD: env.CALLREC_IT_ESL_PASSWORD ?? 'ClueCon',
    CALLREC_ESL_LISTEN_PORT: env.CALLREC_IT_ESL_LISTEN_PORT ?? '18094',
    CALLREC_ESL_SOUNDS_DIR: env.CALLREC_IT_FS_SOUNDS ?? '/usr/local/freeswitch/sounds',
  },
  install: (extra) => ['install', 'freeswitch', '--conf', FS_CONF, ...extra],
  command: eslApi,
  async uninstallGate() {
    fs.rmSync(path.join(FS_CONF, 'dialplan', 'callrec.xml'), { force: true });
    await eslApi('reloadxml');
  },
};

const reload = (pbx: Pbx) => (pbx === asterisk ? pbx.command('dialplan reload') : pbx.command('reloadxml'));

function suite(pbx: Pbx): void {
  let dbDir: string;
  let installed: ReturnType<typeof snapshotFiles> | null = null;
  let controller: Controller | null = null;
  let cliEnv: Record<string, string>;

  beforeAll(async () => {
    dbDir = fs.mkdtempSync(path.join(os.tmpdir(), 'callrec-it-tc-'));
    fs.mkdirSync(pbx.recordings, { recursive: true });
    installed = snapshotFiles(...pbx.installs);
    cliEnv = {
      CALLREC_NODE: `it-tc-${process.pid}`,
      CALLREC_DB_URL: `sqlite:${path.join(dbDir, 'callrec.sqlite3')}`,
      CALLREC_RECORDINGS_DIR: pbx.recordings,
      CALLREC_HTTP_PORT: '1',
      ...pbx.env,
    };
    const install = await runCli(pbx.install(['--recordings', pbx.recordings]), cliEnv);
    if (install.code !== 0) throw new Error(install.err.join('\n'));
    await reload(pbx);
    const cfg = loadConfig(cliEnv);
    cfg.http.port = 0;
    controller = await startController(cfg, log());
    await waitFor(() => controller?.pbx.status() === 'connected', 10000, `${pbx.name} connected`);
  });

  afterAll(async () => {
    await controller?.stop();
    fs.rmSync(dbDir, { recursive: true, force: true });
    fs.rmSync(pbx.recordings, { recursive: true, force: true });
    // Leave the PBX as it was: callrec's files out, the admin's back, the dialplan reloaded.
    installed?.restore();
    await reload(pbx);
  });

  it("install without --recordings would write the PBX's own spool, never the cwd (dry run)", async () => {
    const r = await runCli([...pbx.install([]), '--dry-run'], { ...cliEnv, CALLREC_RECORDINGS_DIR: '' });
    expect(r.code).toBe(0);
    const dir = r.out.find((l) => /^dialplan {5}(CALLREC_DIR|RECORDINGS_DIR)=/.test(l));
    expect(dir).toBe(
      pbx === asterisk
        ? 'dialplan     CALLREC_DIR=/var/spool/asterisk/callrec'
        : `dialplan     RECORDINGS_DIR=${path.join(await eslApi('global_getvar recordings_dir').then((s) => s.trim()), 'callrec')}`,
    );
    expect(r.out.join('\n')).not.toContain(process.cwd());
  });

  it('doctor: every check OK once installed and running', async () => {
    const r = await runCli(['doctor'], cliEnv);
    const lines = r.out.join('\n');
    expect(lines).toMatch(/^OK\s+gate dialplan\s+/m);
    expect(lines).toMatch(
      pbx === asterisk
        ? /^OK\s+stasis app\s+callrec-it-tc is registered/m
        : /^OK\s+outbound socket\s+callrec start listens on/m,
    );
    expect(lines).toMatch(/^OK\s+prompts\s+8 prompts in en, es$/m);
    expect(lines).toMatch(/^OK\s+recordings dir \(pbx\)\s+/m);
    expect(r.code).toBe(0);
  });

  it('test-call: decision, a completed recording of the tone with its duration, then purged', async () => {
    const r = await runCli(['test-call', '--seconds', String(SECONDS)], cliEnv);
    const text = r.out.join('\n');
    expect(r.err).toEqual([]);
    expect(text).toMatch(/^decision {5}record from-answer, consent announce/m);
    expect(text).toMatch(/^row {10}call #\d+ done, consent announced$/m);
    const rec = /^recording {4}#(\d+) completed, ([\d.]+) s, (\d+) bytes: (\S+)$/m.exec(text);
    expect(rec).not.toBeNull();
    const [, id, seconds, , file] = rec as RegExpExecArray;
    // The tone lasts SECONDS after the prompt; the row's duration is the file's.
    expect(Number(seconds)).toBeGreaterThanOrEqual(SECONDS - 1);
    expect(text).toContain(`purged       recording #${id} and its file (test call)`);
    expect(fs.existsSync(file as string)).toBe(false);
    const db = openDb(cliEnv.CALLREC_DB_URL as string);
    try {
      const row = await createStore(db).recordings.get(Number(id));
      expect(row?.state).toBe('purged');
      const events = await createStore(db).events.forRecording(Number(id));
      expect(events.some((e) => JSON.stringify(e).includes('callrec test-call'))).toBe(true);
    } finally {
      await db.close();
    }
    expect(r.code).toBe(0);
    console.info(`${pbx.name} test-call:\n${text}`);
  }, 120_000);

  it('doctor: one clear FAIL line each for missing prompts, an unusable recordings dir, and no gate dialplan', async () => {
    const db = openDb(cliEnv.CALLREC_DB_URL as string);
    const doc = parseRulesYaml('account:\n  languages: [en, fr]\n', 'it.yaml');
    if (!doc.ok) throw new Error(doc.errors.join('\n'));
    try {
      await createStore(db).rules.importDocument(doc.doc);
    } finally {
      await db.close();
    }
    // A path under a file: neither callrec nor the PBX can create or write it (both run as root here).
    const blocker = path.join(dbDir, 'a-file');
    fs.writeFileSync(blocker, '');
    const missing = await runCli(['doctor'], { ...cliEnv, CALLREC_RECORDINGS_DIR: path.join(blocker, 'recordings') });
    expect(missing.code).toBe(1);
    expect(missing.out.filter((l) => /^FAIL\s+prompts\s+/.test(l))).toEqual([
      expect.stringMatching(
        /^FAIL\s+prompts\s+missing on the PBX: fr\/callrec\/announce, fr\/callrec\/beep, fr\/callrec\/not-recorded, fr\/callrec\/opt-in and 4 more: run callrec install/,
      ),
    ]);
    expect(missing.out.filter((l) => /^FAIL\s+recordings dir \(pbx\)/.test(l))).toEqual([
      expect.stringMatching(/a-file\/recordings cannot be used \(ENOTDIR\)$/),
    ]);

    await pbx.uninstallGate();
    let reinstallFailed: string | null = null;
    try {
      const gone = await runCli(['doctor'], cliEnv);
      expect(gone.code).toBe(1);
      expect(gone.out.filter((l) => /^FAIL\s+gate dialplan/.test(l))).toEqual([
        pbx === asterisk
          ? expect.stringMatching(
              /callrec-gate is not in Asterisk's dialplan: run callrec install asterisk, then asterisk -rx 'dialplan reload'$/,
            )
          : expect.stringMatching(
              /the callrec context is not loaded in FreeSWITCH: run callrec install freeswitch, then fs_cli -x reloadxml$/,
            ),
      ]);
      console.info(
        `${pbx.name} doctor failures:\n${[...missing.out, ...gone.out].filter((l) => l.startsWith('FAIL')).join('\n')}`,
      );
    } finally {
      // Reinstalled whatever happened above; a failed reinstall is reported below, never over the
      // test's own failure.
      const again = await runCli(pbx.install(['--recordings', pbx.recordings]), cliEnv);
      if (again.code === 0) await reload(pbx);
      else reinstallFailed = again.err.join('\n');
    }
    if (reinstallFailed) throw new Error(reinstallFailed);
  });
}

(ARI_URL ? describe : describe.skip)('callrec doctor and test-call on a real Asterisk', () => suite(asterisk));
(ESL_HOST ? describe : describe.skip)('callrec doctor and test-call on a real FreeSWITCH', () => suite(freeswitch));
