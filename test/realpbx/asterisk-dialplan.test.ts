// Against a real Asterisk, when CALLREC_IT_AMI_HOST says where (skipped otherwise):
//   CALLREC_IT_AMI_HOST, CALLREC_IT_AMI_PORT (5038), CALLREC_IT_AMI_USER, CALLREC_IT_AMI_SECRET
//   CALLREC_IT_ASTERISK_ETC, CALLREC_IT_ASTERISK_SOUNDS: where `callrec install asterisk` writes
//   CALLREC_IT_ASTERISK_RECORDINGS (or CALLREC_IT_RECORDINGS): the fallback's CALLREC_DIR (same box, so also readable here)
// The test context is added over AMI (DialplanExtensionAdd), so no file of the PBX is edited by
// hand; a `dialplan reload` drops it again.
import fs from 'node:fs';
import path from 'node:path';
import { AmiClient, AmiMixMonitorControl, type AmiEvent } from '../../controller/src/pbx/asterisk/ami';
import { silentLogger } from '../../controller/src/util/logger';
import { runCli } from '../helpers/cli';
import { snapshotFiles } from './acceptance';

const env = process.env;
const HOST = env.CALLREC_IT_AMI_HOST;
const describeIf = HOST ? describe : describe.skip;
if (!HOST)
  console.info(
    'test/realpbx/asterisk-dialplan: skipped (set CALLREC_IT_AMI_HOST, CALLREC_IT_ASTERISK_ETC, CALLREC_IT_ASTERISK_SOUNDS, CALLREC_IT_RECORDINGS to run)',
  );

// A directory of this run's own under the one the variable names (removed afterwards): every
// controller start reconciles the recordings root, and earlier runs' files would be its orphans.
const RECORDINGS = path.join(
  env.CALLREC_IT_ASTERISK_RECORDINGS ?? env.CALLREC_IT_RECORDINGS ?? '/var/spool/asterisk/callrec-it',
  `asterisk-dialplan-${process.pid}`,
);
const ETC = env.CALLREC_IT_ASTERISK_ETC ?? '/etc/asterisk';
const SOUNDS = env.CALLREC_IT_ASTERISK_SOUNDS ?? '/var/lib/asterisk/sounds';
const CONTEXT = 'callrec-it';

function waitFor<T>(check: () => T | undefined | false, ms: number): Promise<T> {
  const until = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = () => {
      const v = check();
      if (v) return resolve(v);
      if (Date.now() > until) return reject(new Error(`condition not met within ${ms} ms`));
      setTimeout(tick, 50);
    };
    tick();
  });
}

describeIf('the shipped dialplan on a real Asterisk', () => {
  let ami: AmiClient;
  const events: AmiEvent[] = [];
  let installed: ReturnType<typeof snapshotFiles> | null = null;

  async function command(cmd: string): Promise<string> {
    const r = await ami.send('Command', { Command: cmd });
    if (!r.ok) throw new Error(`${cmd}: ${r.error.detail}`);
    return r.value.Output ?? '';
  }

  /** Originates Local/<exten>@callrec-it; the ;2 leg Gosubs the gate with no Stasis app connected. */
  async function call(exten: string, vars: string): Promise<void> {
    const r = await ami.send('Originate', {
      Channel: `Local/${exten}@${CONTEXT}`,
      Application: 'Wait',
      Data: '30',
      CallerID: '"IT" <5551234>',
      Variable: vars,
      Async: 'true',
    });
    if (!r.ok) throw new Error(r.error.detail);
  }

  beforeAll(async () => {
    fs.mkdirSync(RECORDINGS, { recursive: true });
    installed = snapshotFiles([ETC, SOUNDS], [ETC]);
    const install = await runCli(
      ['install', 'asterisk', '--etc', ETC, '--sounds', SOUNDS, '--recordings', RECORDINGS],
      { CALLREC_FALLBACK: 'announce-and-record' },
    );
    if (install.code !== 0) throw new Error(install.err.join('\n'));
    ami = new AmiClient({
      host: HOST as string,
      port: Number(env.CALLREC_IT_AMI_PORT ?? 5038),
      user: env.CALLREC_IT_AMI_USER ?? 'callrec',
      secret: env.CALLREC_IT_AMI_SECRET ?? 'callrec',
      logger: silentLogger(),
    });
    ami.onEvent((e) => events.push(e));
    ami.start();
    await waitFor(() => ami.status() === 'connected', 5000);
    await command('dialplan reload');
    await command('module reload features');
    // A stand-in for the admin's applet: the app name nobody serves makes Stasis() fail at once.
    // Local channels carry no audio of their own: the prompt after the gate is what gets recorded.
    const steps = [
      'Set(CALLREC_APP=callrec-it-nobody)',
      'Gosub(callrec-gate,s,1(it-flow,dial))',
      'Playback(callrec/opt-in,noanswer)',
      'Hangup()',
    ];
    for (const [i, app] of steps.entries()) {
      const [name, data] = [app.slice(0, app.indexOf('(')), app.slice(app.indexOf('(') + 1, -1)];
      const r = await ami.send('DialplanExtensionAdd', {
        Context: CONTEXT,
        Extension: '_X.',
        Priority: i + 1,
        Application: name,
        ApplicationData: data,
        Replace: 'yes',
      });
      if (!r.ok) throw new Error(r.error.detail);
    }
  });

  afterAll(async () => {
    fs.rmSync(RECORDINGS, { recursive: true, force: true });
    installed?.restore();
    if (ami?.status() === 'connected') {
      await command('dialplan reload');
      await command('module reload features');
    }
    await ami?.stop();
  });

  it('parses: dialplan show callrec-gate lists the gate, the decision extensions and the fallback', async () => {
    const out = await command('dialplan show callrec-gate');
    expect(out).toContain("'s' =>");
    expect(out).toContain("'fallback' =>");
    expect(out).toContain("'skip' =>");
    expect(out).toContain("'_rec.' =>");
    // The dialed number (CALLREC_TO, else the caller frame's exten), then the gate contract (2:
    // the decision may come in continue).
    expect(out).toMatch(
      /Stasis\(.*,gate,\$\{ARG1\},\$\{ARG2\},\$\{ARG3\},\$\{ARG4\},\$\{ARG5\},\$\{IF\(.*CALLREC_TO.*STACK_PEEK\(1,e,1\).*\)\},2\)/,
    );
    expect(await command('features show')).toMatch(/callrec_pause\s+no def\s+\*48/);
  });

  it('records with the dialplan-built name when no controller is connected (announce-and-record)', async () => {
    const before = events.length;
    await call('4155550100', 'CALLREC_FALLBACK=announce-and-record');
    const started = await waitFor(
      () => events.slice(before).find((e) => e.type === 'MixMonitorStart' && e.channel.includes('4155550100')),
      15000,
    );
    // A MixMonitor ending with the call sends no MixMonitorStop, only the channel's Hangup.
    await waitFor(
      () => events.slice(before).find((e) => e.type === 'Hangup' && e.uniqueId === started.uniqueId),
      20000,
    );
    const day = new Date().toISOString().slice(0, 10).replace(/-/g, '/');
    const dir = path.join(RECORDINGS, day);
    const file = fs.readdirSync(dir).find((f) => f.endsWith(`-5551234-4155550100-${started.uniqueId}.wav`));
    expect(file).toMatch(/^\d{14}-5551234-4155550100-\d+\.\d+\.wav$/);
    expect(fs.statSync(path.join(dir, file as string)).size).toBeGreaterThan(44 + 8000 * 2 * 2); // > 2 s of audio
  }, 30000);

  it('mutes, stops and restarts (append) a real MixMonitor over AMI', async () => {
    const before = events.length;
    await call('4155550101', 'CALLREC_FALLBACK=record');
    const started = await waitFor(
      () => events.slice(before).find((e) => e.type === 'MixMonitorStart' && e.channel.includes('4155550101')),
      15000,
    );
    const mm = new AmiMixMonitorControl(ami);
    const channel = started.channel;
    await new Promise((r) => setTimeout(r, 700)); // some audio before the pause
    expect(await mm.mute(channel, true)).toEqual({ ok: true, value: undefined });
    await waitFor(
      () => events.slice(before).find((e) => e.type === 'MixMonitorMute' && e.muted && e.direction === 'both'),
      5000,
    );
    expect((await mm.mute(channel, false)).ok).toBe(true);
    const id = await ami.send('Getvar', { Channel: channel, Variable: 'CALLREC_MIXMON_ID' });
    const file = await ami.send('Getvar', { Channel: channel, Variable: 'CALLREC_FILE' });
    if (!id.ok || !file.ok) throw new Error('Getvar failed');
    expect(id.value.Value).toMatch(/^0x[0-9a-f]+$/);
    expect((await mm.stop(channel, id.value.Value ?? null)).ok).toBe(true);
    await waitFor(
      () => events.slice(before).find((e) => e.type === 'MixMonitorStop' && e.uniqueId === started.uniqueId),
      5000,
    );
    expect((await mm.start(channel, file.value.Value ?? '', 'a')).ok).toBe(true);
    await waitFor(
      () =>
        events.slice(before).filter((e) => e.type === 'MixMonitorStart' && e.uniqueId === started.uniqueId).length ===
        2,
      5000,
    );
    // And some appended after it: long enough that the appended part alone passes 1 s on a loaded box.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await mm.stop('Local/nobody@nowhere-00000000;2', null)).toEqual({
      ok: false,
      error: { kind: 'not-found', detail: 'AMI StopMixMonitor: No such channel' },
    });
    await ami.send('Hangup', { Channel: channel });
    await waitFor(() => events.slice(before).find((e) => e.type === 'Hangup' && e.uniqueId === started.uniqueId), 5000);
    expect(fs.statSync(file.value.Value ?? '').size).toBeGreaterThan(44 + 16000); // > 1 s of the 2.2 s played
  }, 30000);
});
