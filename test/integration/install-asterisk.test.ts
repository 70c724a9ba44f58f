import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/cli';

const STOCK_EXTENSIONS =
  '[general]\nstatic = yes\n\n[globals]\nTRUNK=PJSIP/provider\n\n[default]\nexten => 100,1,Dial(PJSIP/100)\n';
const ENV = { CALLREC_ARI_APP: 'callrec-test', CALLREC_FALLBACK: 'record', CALLREC_RECORDINGS_DIR: '/srv/recordings' };

function fakeAsterisk(): { root: string; etc: string; sounds: string; args: string[] } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'callrec-install-'));
  const etc = path.join(root, 'etc');
  const sounds = path.join(root, 'sounds');
  fs.mkdirSync(etc);
  fs.mkdirSync(sounds);
  fs.writeFileSync(path.join(etc, 'extensions.conf'), STOCK_EXTENSIONS);
  fs.writeFileSync(path.join(etc, 'features.conf'), '[general]\n\n[featuremap]\n\n[applicationmap]\n');
  return { root, etc, sounds, args: ['install', 'asterisk', '--etc', etc, '--sounds', sounds] };
}

/** Every file under dir with its bytes, to compare two runs. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) {
      const p = path.join(e.parentPath, e.name);
      out[path.relative(dir, p)] = fs.readFileSync(p).toString('base64');
    }
  }
  return out;
}

describe('callrec install asterisk', () => {
  let fake: ReturnType<typeof fakeAsterisk>;
  beforeEach(() => {
    fake = fakeAsterisk();
  });
  afterEach(() => fs.rmSync(fake.root, { recursive: true, force: true }));

  it('copies the dialplan and prompts, includes them and sets the globals from the config', async () => {
    const r = await runCli(fake.args, ENV);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    const ext = fs.readFileSync(path.join(fake.etc, 'extensions.conf'), 'utf8');
    expect(ext).toMatch(/\[globals\]\n; callrec[^\n]*\n#include "callrec_globals.conf"\nTRUNK=PJSIP\/provider\n/);
    expect(ext.trimEnd().endsWith('#include "extensions_callrec.conf"')).toBe(true);
    expect(fs.readFileSync(path.join(fake.etc, 'features.conf'), 'utf8')).toMatch(
      /\n#include "features_callrec.conf"\n$/,
    );
    expect(fs.readFileSync(path.join(fake.etc, 'callrec_globals.conf'), 'utf8')).toContain(
      'CALLREC_APP=callrec-test\nCALLREC_DIR=/srv/recordings\nCALLREC_FALLBACK=record\n',
    );
    expect(fs.readFileSync(path.join(fake.etc, 'extensions_callrec.conf'), 'utf8')).toContain('[callrec-gate]');
    expect(fs.existsSync(path.join(fake.sounds, 'en', 'callrec', 'announce.wav'))).toBe(true);
    expect(fs.existsSync(path.join(fake.sounds, 'es', 'callrec', 'opt-in.wav'))).toBe(true);
    const backups = fs
      .readdirSync(fake.etc)
      .filter((f) => f.endsWith('.bak'))
      .sort();
    expect(backups).toHaveLength(2);
    expect(backups[0]).toMatch(/^extensions\.conf\.\d{8}-\d{6}\.bak$/);
    expect(fs.readFileSync(path.join(fake.etc, backups[0] as string), 'utf8')).toBe(STOCK_EXTENSIONS);
  });

  it('changes nothing when run a second time', async () => {
    expect((await runCli(fake.args, ENV)).code).toBe(0);
    const before = snapshot(fake.root);
    const again = await runCli(fake.args, ENV);
    expect(again.code).toBe(0);
    expect(again.out).toContain('already installed: nothing changed');
    expect(again.out.filter((l) => l.startsWith('unchanged')).length).toBeGreaterThan(20);
    expect(snapshot(fake.root)).toEqual(before);
  });

  it('recognizes an existing #tryinclude and only rewrites the globals when the config changes', async () => {
    fs.appendFileSync(path.join(fake.etc, 'extensions.conf'), '#tryinclude extensions_callrec.conf\n');
    expect((await runCli(fake.args, ENV)).code).toBe(0);
    const ext = fs.readFileSync(path.join(fake.etc, 'extensions.conf'), 'utf8');
    expect(ext.match(/extensions_callrec\.conf/g)).toHaveLength(1);
    const r = await runCli(fake.args, { ...ENV, CALLREC_FALLBACK: 'skip' });
    expect(r.out.filter((l) => /^(created|updated)/.test(l))).toEqual([
      `updated      ${path.join(fake.etc, 'callrec_globals.conf')}`,
    ]);
    expect(fs.readFileSync(path.join(fake.etc, 'callrec_globals.conf'), 'utf8')).toContain('CALLREC_FALLBACK=skip');
  });

  it('adds a [globals] section and creates features.conf when the box has none', async () => {
    fs.writeFileSync(path.join(fake.etc, 'extensions.conf'), '[default]\nexten => s,1,Answer()');
    fs.rmSync(path.join(fake.etc, 'features.conf'));
    expect((await runCli(fake.args, ENV)).code).toBe(0);
    expect(fs.readFileSync(path.join(fake.etc, 'extensions.conf'), 'utf8')).toMatch(
      /Answer\(\)\n\n\[globals\]\n; callrec[^\n]*\n#include "callrec_globals.conf"\n/,
    );
    expect(fs.readFileSync(path.join(fake.etc, 'features.conf'), 'utf8')).toContain('#include "features_callrec.conf"');
  });

  it("without --recordings or a configured directory, writes Asterisk's spool (never the cwd) and says so", async () => {
    const r = await runCli(fake.args, { CALLREC_ARI_APP: 'callrec-test' });
    expect(r.code).toBe(0);
    const globals = fs.readFileSync(path.join(fake.etc, 'callrec_globals.conf'), 'utf8');
    expect(globals).toContain('CALLREC_DIR=/var/spool/asterisk/callrec\n');
    expect(globals).not.toContain(process.cwd());
    // Every value written into the dialplan is printed, with where the directory came from.
    expect(r.out).toEqual(
      expect.arrayContaining([
        'dialplan     CALLREC_APP=callrec-test',
        'dialplan     CALLREC_DIR=/var/spool/asterisk/callrec',
        'dialplan     CALLREC_FALLBACK=announce-and-record',
        expect.stringMatching(
          /^recordings {3}\/var\/spool\/asterisk\/callrec \(default: Asterisk's spool; --recordings or CALLREC_PBX_RECORDINGS_DIR changes it\)$/,
        ),
        expect.stringMatching(/the asterisk user writes there; callrec's user must read and delete there/),
        expect.stringMatching(/set CALLREC_PBX_RECORDINGS_DIR=\/var\/spool\/asterisk\/callrec for the controller/),
      ]),
    );
  });

  it('--dry-run lists the writes and writes nothing', async () => {
    const before = snapshot(fake.root);
    const r = await runCli([...fake.args, '--dry-run', '--recordings', '/var/spool/asterisk/monitor/callrec'], ENV);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`would update ${path.join(fake.etc, 'extensions.conf')}`);
    expect(r.out.at(-1)).toMatch(/^dry run: \d+ file\(s\) would change, nothing written$/);
    expect(snapshot(fake.root)).toEqual(before);
  });

  it.each([
    [
      'a missing --etc',
      (f: ReturnType<typeof fakeAsterisk>) => ['--etc', path.join(f.root, 'nope')],
      /Asterisk configuration directory .*nope does not exist \(point --etc at it\)/,
    ],
    [
      'an --etc that is a file',
      (f: ReturnType<typeof fakeAsterisk>) => ['--etc', path.join(f.etc, 'extensions.conf')],
      /is not a directory/,
    ],
    [
      'a missing --sounds',
      (f: ReturnType<typeof fakeAsterisk>) => ['--sounds', path.join(f.root, 'none')],
      /Asterisk sounds directory .*none does not exist/,
    ],
    [
      'an etc without extensions.conf',
      (f: ReturnType<typeof fakeAsterisk>) => ['--etc', f.sounds],
      /extensions\.conf does not exist: is .* Asterisk's configuration directory/,
    ],
    ['a relative --recordings', () => ['--recordings', 'rec'], /--recordings must be an absolute path, got rec/],
  ])('fails clearly, writing nothing, on %s', async (_name, extra, message) => {
    const before = snapshot(fake.root);
    const r = await runCli([...fake.args, ...extra(fake)], ENV);
    expect(r.code).toBe(1);
    expect(r.err.join('\n')).toMatch(message);
    expect(snapshot(fake.root)).toEqual(before);
  });

  it.each([
    [['install'], /unknown PBX ""/],
    [['install', 'asterisk', '--etc'], /--etc needs a directory/],
    [['install', 'asterisk', '--force'], /unexpected argument "--force"/],
  ])('rejects %j with its usage', async (argv, message) => {
    const r = await runCli(argv, ENV);
    expect(r.code).toBe(2);
    expect(r.err[0]).toMatch(message);
    expect(r.err[0]).toContain('usage: callrec install asterisk');
  });
});
