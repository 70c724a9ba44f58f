import type { Config } from '../../config/types';
import type { ProbeResult } from '../port';
import { tcpProbe } from '../tcp-probe';

/** callrec has no ESL password default: the switch's is whatever event_socket.conf.xml says. */
function passwordHint(password: string): string {
  const expected =
    "set CALLREC_ESL_PASSWORD to the password in FreeSWITCH's autoload_configs/event_socket.conf.xml (the stock file ships ClueCon: change it there too)";
  return password === ''
    ? `CALLREC_ESL_PASSWORD is empty; ${expected}`
    : `CALLREC_ESL_PASSWORD does not match; ${expected}`;
}

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
        : { ok: false, detail: `${where}: password rejected: ${passwordHint(cfg.password)}` };
    },
  });
}
