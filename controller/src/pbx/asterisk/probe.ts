import type { Config } from '../../config/types';
import { httpProbe } from '../http-probe';
import type { ProbeResult } from '../port';
import { tcpProbe } from '../tcp-probe';
import { redactUrl } from '../../util/redact-url';

export async function probeAri(cfg: Config['ari']): Promise<ProbeResult> {
  const r = await httpProbe(`${cfg.url}/ari/asterisk/info`, cfg.user, cfg.password);
  if (!r.ok) return { ok: false, detail: `ARI at ${redactUrl(cfg.url)}: ${r.detail}` };
  const version = (r.body as { system?: { version?: string } } | null)?.system?.version;
  return { ok: true, detail: `ARI at ${redactUrl(cfg.url)}${version ? `, Asterisk ${version}` : ''}` };
}

export function probeAmi(cfg: Config['ami']): Promise<ProbeResult> {
  let loggedIn = false;
  return tcpProbe(cfg.host, cfg.port, {
    step(text) {
      if (!loggedIn) {
        if (!text.includes('\r\n')) return null;
        if (!text.startsWith('Asterisk Call Manager'))
          return { ok: false, detail: `AMI at ${cfg.host}:${cfg.port}: not an Asterisk manager` };
        loggedIn = true;
        return {
          send: `Action: Login\r\nActionID: callrec-probe\r\nUsername: ${cfg.user}\r\nSecret: ${cfg.secret}\r\nEvents: off\r\n\r\n`,
        };
      }
      if (!text.includes('\r\n\r\n')) return null;
      return /Response: Success/i.test(text)
        ? { ok: true, detail: `AMI at ${cfg.host}:${cfg.port}` }
        : { ok: false, detail: `AMI at ${cfg.host}:${cfg.port}: login rejected for user ${cfg.user}` };
    },
  });
}
