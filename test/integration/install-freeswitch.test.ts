import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { installFreeswitch, type InstallFreeswitchOptions } from '../../controller/src/cli/install-freeswitch';
import { runCli } from '../helpers/cli';
import { startEslSim, type EslSim } from '../helpers/freeswitch/esl-sim';
import { FEATURE_HEADER, FEATURE_SUBCLASS, VAR } from '../../controller/src/pbx/freeswitch/dialplan-vars';

function tree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(root, p)] = fs.readFileSync(p, 'latin1');
    }
  };
  walk(root);
  return out;
}

describe('installFreeswitch', () => {
  let root: string;
  let opts: InstallFreeswitchOptions;

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'callrec-fs-'));
    const conf = path.join(root, 'freeswitch', 'conf');
    fs.mkdirSync(path.join(conf, 'autoload_configs'), { recursive: true });
    fs.writeFileSync(path.join(conf, 'freeswitch.xml'), '<document type="freeswitch/xml"/>\n');
    fs.writeFileSync(
      path.join(conf, 'autoload_configs', 'event_socket.conf.xml'),
      '<configuration name="event_socket.conf">\n  <settings>\n    <param name="listen-ip" value="::"/>\n    <param name="password" value="s3cret"/>\n  </settings>\n</configuration>\n',
    );
    const sounds = path.join(root, 'sounds');
    for (const lang of ['en', 'fr']) {
      fs.mkdirSync(path.join(sounds, lang, 'callrec'), { recursive: true });
      for (const name of ['announce', 'paused'])
        fs.writeFileSync(path.join(sounds, lang, 'callrec', `${name}.wav`), `RIFF-${lang}-${name}`);
    }
    opts = {
      conf,
      sounds,
      listenHost: '127.0.0.1',
      listenPort: 8084,
      fallback: 'announce-and-record',
      recordingsDir: '/var/lib/callrec',
      language: 'en',
      now: new Date('2026-11-22T10:00:00Z'),
    };
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('installs the dialplan, loopback event socket and the prompts', () => {
    const steps = installFreeswitch(opts);
    expect(steps.map((s) => [path.relative(root, s.path), s.action])).toEqual([
      ['freeswitch/conf/dialplan/callrec.xml', 'created'],
      ['freeswitch/conf/autoload_configs/event_socket.conf.xml', 'updated'],
      ['freeswitch/sounds/en/callrec/announce.wav', 'created'],
      ['freeswitch/sounds/en/callrec/paused.wav', 'created'],
      ['freeswitch/sounds/fr/callrec/announce.wav', 'created'],
      ['freeswitch/sounds/fr/callrec/paused.wav', 'created'],
    ]);
    const xml = fs.readFileSync(path.join(opts.conf, 'dialplan', 'callrec.xml'), 'utf8');
    expect(xml).toContain('<action application="socket" data="127.0.0.1:8084 async full"/>');
    expect(xml).toContain('data="callrec_fallback=announce-and-record"');
    expect(xml).not.toMatch(/@@[A-Z_]+@@/);
    const esl = fs.readFileSync(path.join(opts.conf, 'autoload_configs', 'event_socket.conf.xml'), 'utf8');
    expect(esl).toContain('value="127.0.0.1"');
    expect(esl).toContain('value="s3cret"');
    expect(steps[1]?.backup).toMatch(/event_socket\.conf\.xml\.callrec-backup-20261122100000$/);
    expect(fs.readFileSync(steps[1]?.backup ?? '', 'utf8')).toContain('value="::"');
  });

  it('changes nothing when run twice', () => {
    installFreeswitch(opts);
    const before = tree(root);
    const again = installFreeswitch({ ...opts, now: new Date('2026-11-23T10:00:00Z') });
    expect(again.every((s) => s.action === 'unchanged' && s.backup === null)).toBe(true);
    expect(tree(root)).toEqual(before);
  });

  it('backs up a prompt it replaces and writes nothing in dry-run', () => {
    installFreeswitch(opts);
    fs.writeFileSync(path.join(opts.sounds, 'en', 'callrec', 'paused.wav'), 'RIFF-new');
    const before = tree(root);
    const dry = installFreeswitch({ ...opts, dryRun: true });
    expect(dry.filter((s) => s.action !== 'unchanged').map((s) => path.basename(s.path))).toEqual(['paused.wav']);
    expect(tree(root)).toEqual(before);
    const real = installFreeswitch(opts).find((s) => s.action === 'updated');
    expect(fs.readFileSync(real?.backup ?? '', 'utf8')).toBe('RIFF-en-paused');
  });

  it.each([
    [
      'a conf directory without freeswitch.xml',
      (o: InstallFreeswitchOptions) => ({ ...o, conf: path.join(o.conf, 'nope') }),
      /not a FreeSWITCH conf directory/,
    ],
    [
      'a sounds directory without prompts',
      (o: InstallFreeswitchOptions) => ({ ...o, sounds: o.conf }),
      /no <lang>\/callrec\/\*\.wav/,
    ],
  ])('refuses %s with a clear message', (_what, change, message) => {
    expect(() => installFreeswitch(change(opts))).toThrow(message);
  });
});

describe('dialplan/freeswitch/callrec.xml and the adapter agree on names', () => {
  const xml = fs.readFileSync(path.join(__dirname, '..', '..', 'dialplan', 'freeswitch', 'callrec.xml'), 'utf8');
  it.each([
    ['decided mark', '${callrec_decided}'],
    ['fallback global', 'callrec_fallback='],
    ['feature event', 'Event-Subclass=callrec::feature,callrec_feature=pause'],
    ['snippet variables', 'callrec_flow=', 'callrec_applet='],
  ])('%s', (_what, ...needles) => {
    for (const n of needles) expect(xml).toContain(n);
  });

  it('uses the names from dialplan-vars.ts', () => {
    for (const v of [
      VAR.DECIDED,
      VAR.FALLBACK,
      VAR.DIR,
      VAR.FLOW,
      VAR.APPLET,
      VAR.LANGUAGE,
      FEATURE_SUBCLASS,
      FEATURE_HEADER,
    ])
      expect(xml).toContain(v);
  });

  it('runs as `callrec install freeswitch`, idempotently, and fails clearly on a wrong --conf', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'callrec-fs-cli-'));
    const conf = path.join(root, 'conf');
    fs.mkdirSync(path.join(conf, 'autoload_configs'), { recursive: true });
    fs.writeFileSync(path.join(conf, 'freeswitch.xml'), '<document type="freeswitch/xml"/>\n');
    const opts = { conf };
    const sounds = path.join(root, 'fs-sounds');
    // Port 1: nothing answers there, so the switch's own directories are not known.
    const env = { CALLREC_ESL_PORT: '1', CALLREC_ESL_SOUNDS_DIR: sounds };
    const first = await runCli(['install', 'freeswitch', '--conf', opts.conf, '--sounds', sounds], env);
    expect(first.code).toBe(0);
    expect(first.out.join('\n')).toMatch(/installed: \d+ file\(s\) changed/);
    expect(fs.existsSync(path.join(opts.conf, 'dialplan', 'callrec.xml'))).toBe(true);
    expect(fs.existsSync(path.join(sounds, 'en', 'callrec', 'announce.wav'))).toBe(true);
    expect(first.out).toContain(`dialplan     RECORDINGS_DIR=${path.join(root, 'recordings', 'callrec')}`);
    const again = await runCli(['install', 'freeswitch', '--conf', opts.conf, '--sounds', sounds], env);
    expect(again.out).toContain('already installed: nothing changed');
    const wrong = await runCli(['install', 'freeswitch', '--conf', root], env);
    expect(wrong.code).toBe(1);
    expect(wrong.err[0]).toMatch(/is not a FreeSWITCH conf directory \(no freeswitch\.xml\); pass --conf/);
  });
});

describe('callrec install freeswitch asks the running switch for its directories', () => {
  let sim: EslSim;
  let root: string;
  let conf: string;
  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'callrec-fs-live-'));
    conf = path.join(root, 'conf');
    fs.mkdirSync(path.join(conf, 'autoload_configs'), { recursive: true });
    fs.writeFileSync(path.join(conf, 'freeswitch.xml'), '<document type="freeswitch/xml"/>\n');
    fs.writeFileSync(
      path.join(conf, 'autoload_configs', 'event_socket.conf.xml'),
      '<param name="listen-ip" value="::"/>\n',
    );
    const vars: Record<string, string> = {
      sounds_dir: path.join(root, 'share', 'sounds'),
      recordings_dir: path.join(root, 'var', 'recordings'),
    };
    sim = await startEslSim({
      password: 'ClueCon',
      api: (cmd) => (cmd.startsWith('global_getvar ') ? (vars[cmd.slice(14)] ?? '') : null),
    });
  });
  afterAll(async () => {
    await sim.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  const env = (over: Record<string, string> = {}) => ({
    CALLREC_ESL_PORT: String(sim.port),
    CALLREC_ESL_PASSWORD: 'ClueCon',
    CALLREC_ESL_LISTEN_HOST: '10.0.0.5',
    CALLREC_ESL_SOUNDS_DIR: path.join(root, 'share', 'sounds'),
    ...over,
  });

  it('puts the prompts in its sounds_dir, records under its recordings_dir, prints each value and the re-bind command', async () => {
    const r = await runCli(['install', 'freeswitch', '--conf', conf], env());
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    expect(sim.commands).toEqual(
      expect.arrayContaining(['api global_getvar sounds_dir', 'api global_getvar recordings_dir']),
    );
    expect(fs.existsSync(path.join(root, 'share', 'sounds', 'en', 'callrec', 'announce.wav'))).toBe(true);
    const xml = fs.readFileSync(path.join(conf, 'dialplan', 'callrec.xml'), 'utf8');
    expect(xml).toContain(`data="callrec_dir=${path.join(root, 'var', 'recordings', 'callrec')}"`);
    expect(xml).toContain('<action application="socket" data="10.0.0.5:8084 async full"/>');
    expect(xml).not.toContain(process.cwd());
    expect(r.out).toEqual(
      expect.arrayContaining([
        'dialplan     LISTEN_HOST=10.0.0.5',
        `dialplan     SOUNDS_DIR=${path.join(root, 'share', 'sounds')}`,
        `dialplan     RECORDINGS_DIR=${path.join(root, 'var', 'recordings', 'callrec')}`,
        expect.stringMatching(/default: the switch's recordings_dir/),
        "next: fs_cli -x 'reload mod_event_socket' (re-binds the event socket; ESL clients reconnect)",
      ]),
    );
  });

  it("refuses a CALLREC_ESL_SOUNDS_DIR or --sounds that is not the switch's sounds_dir", async () => {
    const bad = await runCli(
      ['install', 'freeswitch', '--conf', conf],
      env({ CALLREC_ESL_SOUNDS_DIR: '/usr/local/freeswitch/sounds' }),
    );
    expect(bad.code).toBe(1);
    expect(bad.err[0]).toBe(
      `callrec install freeswitch: CALLREC_ESL_SOUNDS_DIR is /usr/local/freeswitch/sounds but the prompts go to ${path.join(root, 'share', 'sounds')} (the switch's sounds_dir); the prompts must be where the switch plays from and callrec points (set CALLREC_ESL_SOUNDS_DIR=${path.join(root, 'share', 'sounds')})`,
    );
    const flag = await runCli(['install', 'freeswitch', '--conf', conf, '--sounds', '/tmp/elsewhere'], env());
    expect(flag.code).toBe(1);
    expect(flag.err[0]).toMatch(/--sounds \/tmp\/elsewhere is not the running switch's sounds_dir/);
  });
});
