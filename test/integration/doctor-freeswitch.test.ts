// `callrec doctor` on FreeSWITCH against an ESL simulator: the gate context loaded and pointing at
// callrec's socket, the prompts of every configured language, the outbound socket listening, and
// the ESL password; one FAIL line each, saying what to do.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/cli';
import { startEslSim, type EslSim } from '../helpers/freeswitch/esl-sim';

const PROMPTS = ['announce', 'beep', 'not-recorded', 'opt-in', 'opt-out', 'paused', 'resumed', 'started'];

describe('callrec doctor on FreeSWITCH', () => {
  let sim: EslSim;
  let gate: net.Server;
  let listenPort: number;
  let env: Record<string, string>;
  let context: string;
  let files: Set<string>;

  beforeAll(async () => {
    gate = net.createServer((s) => s.destroy());
    await new Promise<void>((r) => gate.listen(0, '127.0.0.1', r));
    listenPort = (gate.address() as net.AddressInfo).port;
    sim = await startEslSim({
      password: 'ClueCon',
      api: (cmd) => {
        if (cmd === 'xml_locate dialplan context name callrec') return context;
        if (cmd.startsWith('file_exists ')) return files.has(cmd.slice(12)) ? 'true' : 'false';
        return null;
      },
    });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callrec-doctor-fs-'));
    env = {
      CALLREC_PBX: 'freeswitch',
      CALLREC_ESL_PORT: String(sim.port),
      CALLREC_ESL_PASSWORD: 'ClueCon',
      CALLREC_ESL_LISTEN_PORT: String(listenPort),
      CALLREC_ESL_SOUNDS_DIR: '/snd',
      CALLREC_DB_URL: `sqlite:${path.join(dir, 'db.sqlite3')}`,
      CALLREC_RECORDINGS_DIR: path.join(dir, 'rec'),
    };
    expect((await runCli(['migrate'], env)).code).toBe(0);
  });
  afterAll(async () => {
    await sim.close();
    gate.close();
  });

  beforeEach(() => {
    context = `<context name="callrec">\n<extension name="callrec_gate">\n<action application="socket" data="127.0.0.1:${listenPort} async full"/>\n</extension>\n</context>`;
    files = new Set(['en', 'es'].flatMap((l) => PROMPTS.map((p) => `/snd/${l}/callrec/${p}.wav`)));
  });

  const line = (out: string[], name: string) =>
    out.find((l) => new RegExp(`^(OK|FAIL)\\s+${name.replace(/[()]/g, '\\$&')}\\s`).test(l));

  it('says OK for an installed gate, every prompt in en and es, and a listening socket', async () => {
    const r = await runCli(['doctor'], env);
    expect(line(r.out, 'pbx esl')).toMatch(/^OK/);
    expect(line(r.out, 'gate dialplan')).toMatch(
      new RegExp(`^OK\\s+gate dialplan\\s+the callrec context is loaded \\(socket 127\\.0\\.0\\.1:${listenPort}\\)$`),
    );
    expect(line(r.out, 'prompts')).toMatch(/^OK\s+prompts\s+8 prompts in en, es$/);
    expect(line(r.out, 'outbound socket')).toMatch(
      new RegExp(`^OK\\s+outbound socket\\s+callrec start listens on 127\\.0\\.0\\.1:${listenPort}$`),
    );
  });

  it('fails the gate when the callrec context is not loaded, or connects elsewhere', async () => {
    context = "can't find anything\n";
    const r = await runCli(['doctor'], env);
    expect(r.code).toBe(1);
    expect(line(r.out, 'gate dialplan')).toMatch(
      /^FAIL\s+gate dialplan\s+the callrec context is not loaded in FreeSWITCH: run callrec install freeswitch, then fs_cli -x reloadxml$/,
    );
    context = '<extension name="callrec_gate"><action application="socket" data="127.0.0.1:9 async full"/></extension>';
    expect(line((await runCli(['doctor'], env)).out, 'gate dialplan')).toMatch(
      new RegExp(
        `^FAIL\\s+gate dialplan\\s+the loaded callrec context connects to 127\\.0\\.0\\.1:9 but callrec listens on 127\\.0\\.0\\.1:${listenPort}: run callrec install freeswitch again$`,
      ),
    );
  });

  it('names the missing prompts of a configured language', async () => {
    for (const p of PROMPTS) files.delete(`/snd/es/callrec/${p}.wav`);
    const r = await runCli(['doctor'], env);
    expect(r.code).toBe(1);
    expect(line(r.out, 'prompts')).toBe(
      'FAIL  prompts               missing on the PBX: es/callrec/announce, es/callrec/beep, es/callrec/not-recorded, es/callrec/opt-in and 4 more: run callrec install freeswitch (the switch reads them from CALLREC_ESL_SOUNDS_DIR=/snd)',
    );
  });

  it('fails the outbound socket when nothing listens there', async () => {
    const r = await runCli(['doctor'], { ...env, CALLREC_ESL_LISTEN_PORT: '9' });
    expect(line(r.out, 'outbound socket')).toMatch(
      /^FAIL\s+outbound socket\s+nothing answers on 127\.0\.0\.1:9 \(ECONNREFUSED\): is callrec start running\? Until it is, calls take callrec_fallback$/,
    );
  });

  it.each([
    ['an empty', '', 'CALLREC_ESL_PASSWORD is empty'],
    ['a wrong', 'nope', 'CALLREC_ESL_PASSWORD does not match'],
  ])('says which password is expected for %s CALLREC_ESL_PASSWORD', async (_what, password, why) => {
    const r = await runCli(['doctor'], { ...env, CALLREC_ESL_PASSWORD: password });
    expect(r.code).toBe(1);
    expect(line(r.out, 'pbx esl')).toBe(
      `FAIL  pbx esl               ESL at 127.0.0.1:${sim.port}: password rejected: ${why}; set CALLREC_ESL_PASSWORD to the password in FreeSWITCH's autoload_configs/event_socket.conf.xml (the stock file ships ClueCon: change it there too)`,
    );
  });
});
