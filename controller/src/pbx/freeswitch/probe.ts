import type { Config } from '../../config/types';
import type { ProbeResult } from '../port';
import { tcpProbe } from '../tcp-probe';

export function probeEsl(cfg: Config['esl']): Promise<ProbeResult> {
  let authed = false;
  const where = `ESL at ${cfg.host}:${cfg.port}`;
  return tcpProbe(cfg.host, cfg.port, {
    step(text) {
      if (!text.includes('\n\n')) return null;
      if (!authed) {
        if (!text.includes('auth/request')) return { ok: false, detail: `${where}: not a FreeSWITCH event socket` };
        authed = true;
        return { send: `auth ${cfg.password}\n\n` };
      }
      return /Reply-Text: \+OK/.test(text)
        ? { ok: true, detail: where }
        : { ok: false, detail: `${where}: password rejected` };
    },
  });
}
