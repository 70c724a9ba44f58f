import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { installFreeswitch, type InstallFreeswitchOptions } from '../../controller/src/cli/install-freeswitch';
import { runCli } from '../helpers/cli';
import { FEATURE_HEADER, FEATURE_SUBCLASS, VAR } from '../../controller/src/pbx/freeswitch/vars';

function tree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p); else out[path.relative(root, p)] = fs.readFileSync(p, 'latin1');
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
    fs.writeFileSync(path.join(conf, 'autoload_configs', 'event_socket.conf.xml'),
      '<configuration name="event_socket.conf">\n  <settings>\n    <param name="listen-ip" value="::"/>\n    <param name="password" value="s3cret"/>\n  </settings>\n</configuration>\n');
    const sounds = path.join(root, 'sounds');
    for (const lang of ['en', 'fr']) {
      fs.mkdirSync(path.join(sounds, lang, 'callrec'), { recursive: true });
      for (const name of ['announce', 'paused']) fs.writeFileSync(path.join(sounds, lang, 'callrec', `${name}.wav`), `RIFF-${lang}-${name}`);
    }
    opts = { conf, sounds, listenPort: 8084, fallback: 'announce-and-record', recordingsDir: '/var/lib/callrec', language: 'en', now: new Date('2026-11-22T10:00:00Z') };
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
    ['a conf directory without freeswitch.xml', (o: InstallFreeswitchOptions) => ({ ...o, conf: path.join(o.conf, 'nope') }), /not a FreeSWITCH conf directory/],
    ['a sounds directory without prompts', (o: InstallFreeswitchOptions) => ({ ...o, sounds: o.conf }), /no <lang>\/callrec\/\*\.wav/],
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

  it('uses the names from vars.ts', () => {
    for (const v of [VAR.DECIDED, VAR.FALLBACK, VAR.DIR, VAR.FLOW, VAR.APPLET, VAR.LANGUAGE, FEATURE_SUBCLASS, FEATURE_HEADER]) expect(xml).toContain(v);
  });

  it('runs as `callrec install freeswitch`, idempotently, and fails clearly on a wrong --conf', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'callrec-fs-cli-'));
    const conf = path.join(root, 'conf');
    fs.mkdirSync(path.join(conf, 'autoload_configs'), { recursive: true });
    fs.writeFileSync(path.join(conf, 'freeswitch.xml'), '<document type="freeswitch/xml"/>\n');
    const opts = { conf };
    const sounds = path.join(root, 'fs-sounds');
    const first = await runCli(['install', 'freeswitch', '--conf', opts.conf, '--sounds', sounds], {});
    expect(first.code).toBe(0);
    expect(first.out.join('\n')).toMatch(/installed: \d+ file\(s\) changed/);
    expect(fs.existsSync(path.join(opts.conf, 'dialplan', 'callrec.xml'))).toBe(true);
    expect(fs.existsSync(path.join(sounds, 'en', 'callrec', 'announce.wav'))).toBe(true);
    const again = await runCli(['install', 'freeswitch', '--conf', opts.conf, '--sounds', sounds], {});
    expect(again.out).toContain('already installed: nothing changed');
    const wrong = await runCli(['install', 'freeswitch', '--conf', root], {});
    expect(wrong.code).toBe(1);
    expect(wrong.err[0]).toMatch(/is not a FreeSWITCH conf directory \(no freeswitch\.xml\); pass --conf/);
  });
});
