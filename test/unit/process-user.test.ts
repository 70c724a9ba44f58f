// Who a PBX process runs as (from a /proc laid out like Linux's) and whether its user may write a
// directory, as `callrec doctor` judges it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../../controller/src/config';
import { pbxWritableCheck } from '../../controller/src/cli/doctor-pbx';
import { canWriteDir, processUser } from '../../controller/src/util/process-user';

function fakeProc(uid: number, gid: number, groups: number[]): string {
  const proc = fs.mkdtempSync(path.join(os.tmpdir(), 'callrec-proc-'));
  fs.mkdirSync(path.join(proc, '77'));
  fs.writeFileSync(path.join(proc, '77', 'status'), `Name:\tbash\nUid:\t0\t0\t0\t0\n`);
  fs.mkdirSync(path.join(proc, '4321'));
  fs.writeFileSync(
    path.join(proc, '4321', 'status'),
    `Name:\tasterisk\nUmask:\t0022\nUid:\t${uid}\t${uid}\t${uid}\t${uid}\nGid:\t${gid}\t${gid}\t${gid}\t${gid}\nFDSize:\t64\nGroups:\t${groups.join(' ')}\nNStgid:\t4321\n`,
  );
  fs.mkdirSync(path.join(proc, 'self'));
  return proc;
}

describe('processUser', () => {
  it('reads the effective uid, gid and supplementary groups of the named process', () => {
    expect(processUser('asterisk', fakeProc(998, 997, [20, 29]))).toEqual({ pid: 4321, uid: 998, gids: [997, 20, 29] });
    expect(processUser('asterisk', fakeProc(998, 997, []))).toEqual({ pid: 4321, uid: 998, gids: [997] });
    expect(processUser('freeswitch', fakeProc(998, 997, []))).toBeNull();
    expect(processUser('asterisk', '/no/such/proc')).toBeNull();
  });
});

describe('canWriteDir', () => {
  const who = { uid: 998, gids: [997, 20] };
  it.each([
    ['owner with rwx', { uid: 998, gid: 0, mode: 0o40700 }, true],
    ['owner without w', { uid: 998, gid: 0, mode: 0o40500 }, false],
    ['group member with g+wx', { uid: 0, gid: 20, mode: 0o40770 }, true],
    ['group member, group r-x only', { uid: 0, gid: 20, mode: 0o40755 }, false],
    ['other with o+wx', { uid: 0, gid: 0, mode: 0o40733 }, true],
    ['other, 755', { uid: 0, gid: 0, mode: 0o40755 }, false],
  ])('%s', (_what, st, expected) => {
    expect(canWriteDir(st, who)).toBe(expected);
  });
  it('lets root write anywhere', () =>
    expect(canWriteDir({ uid: 5, gid: 5, mode: 0o40500 }, { uid: 0, gids: [0] })).toBe(true));
});

describe('pbxWritableCheck', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callrec-pbxdir-'));
  const cfg = { recordingsDir: dir, pbxRecordingsDir: dir } as Config;
  const own = fs.statSync(dir);

  it('fails in one line naming the PBX user when it may not write there', () => {
    fs.chmodSync(dir, 0o755);
    const stranger = own.uid + 1000;
    expect(pbxWritableCheck(cfg, 'asterisk', fakeProc(stranger, stranger, []))).toEqual({
      name: 'recordings dir (pbx)',
      ok: false,
      detail: `${dir} is not writable by asterisk (uid ${stranger}): chown ${stranger} ${dir}, or give a group it is in write access`,
    });
  });

  it('passes for the owner, and says when there is no PBX process to judge', () => {
    fs.chmodSync(dir, 0o755);
    expect(pbxWritableCheck(cfg, 'asterisk', fakeProc(own.uid, own.gid, []))).toMatchObject({
      ok: true,
      detail: `${dir} writable by asterisk (uid ${own.uid})`,
    });
    expect(pbxWritableCheck(cfg, 'freeswitch', fakeProc(own.uid, own.gid, []))).toEqual({
      name: 'recordings dir (pbx)',
      ok: true,
      detail: 'not checked: no freeswitch process on this host',
    });
  });

  it('says a missing directory does not exist', () => {
    const gone = { recordingsDir: path.join(dir, 'nope'), pbxRecordingsDir: path.join(dir, 'nope') } as Config;
    expect(pbxWritableCheck(gone, 'asterisk', fakeProc(own.uid, own.gid, []))).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/nope does not exist: create it, writable by asterisk's user/),
    });
  });
});
