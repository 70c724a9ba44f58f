// `callrec doctor`'s checks of what the install put on the PBX, as the PBX itself sees it: the
// gate dialplan loaded, the controller's Stasis app / outbound socket reachable, the prompts of
// every configured language, and the recordings directory writable by the PBX's user.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Config } from '../config';
import { AmiSession } from '../pbx/asterisk/ami/session';
import { AriHttp } from '../pbx/asterisk/ari-http';
import { EslSession } from '../pbx/freeswitch/esl/session';
import { createLogger } from '../util/logger';
import { canWriteDir, processUser } from '../util/process-user';
import { shippedRoot } from './install/plan';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

const TIMEOUT_MS = 3000;
const pass = (name: string, detail: string): Check => ({ name, ok: true, detail });
const fail = (name: string, detail: string): Check => ({ name, ok: false, detail });

/** The prompt names callrec ships (sounds/<lang>/callrec/*.wav): every language needs each. */
export function shippedPrompts(): string[] {
  const root = path.join(shippedRoot(path.join('sounds', 'en', 'callrec')), 'sounds');
  const names = new Set<string>();
  for (const lang of fs.readdirSync(root)) {
    const dir = path.join(root, lang, 'callrec');
    if (fs.existsSync(dir)) for (const f of fs.readdirSync(dir)) if (f.endsWith('.wav')) names.add(f.slice(0, -4));
  }
  return [...names].sort();
}

function promptsCheck(languages: string[], missing: string[], fix: string): Check {
  return missing.length === 0
    ? pass('prompts', `${shippedPrompts().length} prompts in ${languages.join(', ')}`)
    : fail(
        'prompts',
        `missing on the PBX: ${missing.slice(0, 4).join(', ')}${missing.length > 4 ? ` and ${missing.length - 4} more` : ''}: ${fix}`,
      );
}

/** The recordings directory as callrec sees it, checked against the PBX process's user. */
export function pbxWritableCheck(cfg: Config, processName: string, proc?: string): Check {
  const name = 'recordings dir (pbx)';
  const dir = fs.existsSync(cfg.pbxRecordingsDir) ? cfg.pbxRecordingsDir : cfg.recordingsDir;
  const who = processUser(processName, proc);
  if (!who) return pass(name, `not checked: no ${processName} process on this host`);
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return fail(
      name,
      code === 'ENOENT'
        ? `${dir} does not exist: create it, writable by ${processName}'s user (uid ${who.uid})`
        : `${dir} cannot be used (${code ?? 'error'})`,
    );
  }
  if (!st.isDirectory()) return fail(name, `${dir} is not a directory`);
  return canWriteDir(st, who)
    ? pass(name, `${dir} writable by ${processName} (uid ${who.uid})`)
    : fail(
        name,
        `${dir} is not writable by ${processName} (uid ${who.uid}): chown ${who.uid} ${dir}, or give a group it is in write access`,
      );
}

async function asteriskChecks(cfg: Config, languages: string[]): Promise<Check[]> {
  const checks: Check[] = [];
  const ami = await AmiSession.open(cfg.ami, () => {}, TIMEOUT_MS, 'off');
  if (!ami.ok) checks.push(fail('gate dialplan', `not checked: AMI login failed (${ami.error})`));
  else {
    const r = await ami.value.send('Command', { Command: 'dialplan show callrec-gate' }, TIMEOUT_MS);
    ami.value.close('doctor done');
    // A context that is not there answers Error with "Command output follows" (Asterisk 22.10.1);
    // any other refusal (Permission denied) is the AMI user's, not the dialplan's.
    const refused = !r.ok && !r.error.detail.includes('Command output follows');
    checks.push(
      refused
        ? fail(
            'gate dialplan',
            `not checked: ${r.ok ? '' : r.error.detail} (the AMI user needs write = command for doctor)`,
          )
        : r.ok && (r.value.Output ?? '').includes("Context 'callrec-gate'")
          ? pass('gate dialplan', 'callrec-gate is loaded')
          : fail(
              'gate dialplan',
              "callrec-gate is not in Asterisk's dialplan: run callrec install asterisk, then asterisk -rx 'dialplan reload'",
            ),
    );
  }
  const ari = new AriHttp(cfg.ari.url, cfg.ari.user, cfg.ari.password);
  try {
    const app = await ari.request('GET', `/applications/${encodeURIComponent(cfg.ari.app)}`);
    checks.push(
      app.ok
        ? pass('stasis app', `${cfg.ari.app} is registered: callrec start is connected`)
        : app.error.kind === 'not-found'
          ? fail(
              'stasis app',
              `${cfg.ari.app} is not registered with Asterisk: is callrec start running? Until it is, calls take CALLREC_FALLBACK`,
            )
          : fail('stasis app', `not checked: ARI ${app.error.detail}`),
    );
    const missing: string[] = [];
    let unreachable: string | null = null;
    for (const prompt of shippedPrompts()) {
      const r = await ari.request('GET', `/sounds/${encodeURIComponent(`callrec/${prompt}`)}`);
      if (!r.ok && r.error.kind !== 'not-found') {
        unreachable = r.error.detail;
        break;
      }
      const have = new Set(
        r.ok ? ((r.value as { formats?: Array<{ language: string }> }).formats ?? []).map((f) => f.language) : [],
      );
      for (const lang of languages) if (!have.has(lang)) missing.push(`${lang}/callrec/${prompt}`);
    }
    checks.push(
      unreachable
        ? fail('prompts', `not checked: ARI ${unreachable}`)
        : promptsCheck(languages, missing, 'run callrec install asterisk (--sounds <Asterisk sounds dir>)'),
    );
  } finally {
    ari.close();
  }
  checks.push(pbxWritableCheck(cfg, 'asterisk'));
  return checks;
}

function tcpReachable(host: string, port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    const done = (why: string | null) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(why);
    };
    const timer = setTimeout(() => done('timed out'), TIMEOUT_MS);
    sock.on('connect', () => done(null));
    sock.on('error', (e: NodeJS.ErrnoException) => done(e.code ?? e.message));
  });
}

async function freeswitchChecks(cfg: Config, languages: string[]): Promise<Check[]> {
  const checks: Check[] = [];
  const target = `${cfg.esl.listenHost}:${cfg.esl.listenPort}`;
  const s = await EslSession.connect({
    ...cfg.esl,
    logger: createLogger({ level: 'error', format: 'json' }),
    connectTimeoutMs: TIMEOUT_MS,
    commandTimeoutMs: TIMEOUT_MS,
  });
  if (!s.ok) {
    checks.push(
      fail('gate dialplan', `not checked: ESL ${s.error.detail}`),
      fail('prompts', `not checked: ESL ${s.error.detail}`),
    );
  } else {
    try {
      const ctx = await s.value.api('xml_locate dialplan context name callrec');
      const xml = ctx.ok ? ctx.value : '';
      const socket = /application="socket" data="([^" ]+)/.exec(xml)?.[1];
      if (!xml.includes('name="callrec_gate"'))
        checks.push(
          fail(
            'gate dialplan',
            'the callrec context is not loaded in FreeSWITCH: run callrec install freeswitch, then fs_cli -x reloadxml',
          ),
        );
      else if (socket !== target)
        checks.push(
          fail(
            'gate dialplan',
            `the loaded callrec context connects to ${socket ?? '(no socket app)'} but callrec listens on ${target}: run callrec install freeswitch again`,
          ),
        );
      else checks.push(pass('gate dialplan', `the callrec context is loaded (socket ${socket})`));
      const missing: string[] = [];
      for (const lang of languages) {
        for (const prompt of shippedPrompts()) {
          const file = path.posix.join(cfg.esl.soundsDir, lang, 'callrec', `${prompt}.wav`);
          const r = await s.value.api(`file_exists ${file}`);
          if (!r.ok || r.value.trim() !== 'true') missing.push(`${lang}/callrec/${prompt}`);
        }
      }
      checks.push(
        promptsCheck(
          languages,
          missing,
          `run callrec install freeswitch (the switch reads them from CALLREC_ESL_SOUNDS_DIR=${cfg.esl.soundsDir})`,
        ),
      );
    } finally {
      s.value.close('doctor done');
    }
  }
  const why = await tcpReachable(cfg.esl.listenHost, cfg.esl.listenPort);
  checks.push(
    why === null
      ? pass('outbound socket', `callrec start listens on ${target}`)
      : fail(
          'outbound socket',
          `nothing answers on ${target} (${why}): is callrec start running? Until it is, calls take callrec_fallback`,
        ),
  );
  checks.push(pbxWritableCheck(cfg, 'freeswitch'));
  return checks;
}

export function pbxInstallChecks(cfg: Config, languages: string[]): Promise<Check[]> {
  return cfg.pbx === 'freeswitch' ? freeswitchChecks(cfg, languages) : asteriskChecks(cfg, languages);
}
