// How the switch side places calls on a gate's port (as the dialplan's `socket 127.0.0.1:<port>
// async full` does) and times them: the simulator replaying the captured frames, or a real
// FreeSWITCH originating loopback calls. Runs in the switch thread (switch.ts).
import crypto from 'node:crypto';
import { EslSession, type EslEvent } from '../../controller/src/pbx/freeswitch/esl/session';
import { silentLogger } from '../../controller/src/util/logger';
import { driveOutbound } from '../../test/helpers/freeswitch/esl-outbound-driver';

/** The channel variables the applet snippet sets before `socket` (flow `bench`, applet `ringing`). */
export const GATE_VARS = { callrec_flow: 'bench', callrec_applet: 'ringing' };

export interface CallResult {
  uuid: string;
  ms: number;
  exited: boolean;
}

export type SwitchConfig =
  { kind: 'sim'; playbackMs: number } | { kind: 'real'; host: string; port: number; password: string };

export interface Placer {
  /** n calls at once on the gate at port; each says how long the gate held it. */
  place(port: number, n: number): Promise<CallResult[]>;
  close(): Promise<void>;
}

const now = (): number => Number(process.hrtime.bigint()) / 1e6;

export function simPlacer(playbackMs: number): Placer {
  const one = async (port: number): Promise<CallResult> => {
    const uuid = crypto.randomUUID();
    const r = await driveOutbound({ port, uuid, variables: GATE_VARS, playbackMs, timeoutMs: 5000 });
    return { uuid, ms: r.ms, exited: r.exited };
  };
  return { place: (port, n) => Promise.all(Array.from({ length: n }, () => one(port))), close: async () => undefined };
}

/**
 * A real FreeSWITCH: `originate {vars}loopback/^^;answer;park/default/inline '&socket(<gate> async full)'`
 * (an inline B leg that answers and waits: the stock default context sleeps 10 s while
 * default_password is 1234). The A leg runs `socket` answered and hangs up after it. Timed from
 * the arrival of its CHANNEL_EXECUTE of `socket` to that of the CHANNEL_EXECUTE_COMPLETE (the
 * events' own timestamps step by 20 ms); the call counts as let go when the gate had set
 * callrec_decided (every row's sequence sets it).
 */
export async function realPlacer(o: { host: string; port: number; password: string }): Promise<Placer> {
  const s = await EslSession.connect({ host: o.host, port: o.port, password: o.password, logger: silentLogger() });
  if (!s.ok) throw new Error(`FreeSWITCH at ${o.host}:${o.port}: ${s.error.detail}`);
  const esl = s.value;
  const sub = await esl.subscribe(['CHANNEL_EXECUTE', 'CHANNEL_EXECUTE_COMPLETE']);
  if (!sub.ok) throw new Error(sub.error.detail);
  const waiting = new Map<string, { start?: number; done(r: { ms: number; decided: boolean } | null): void }>();
  esl.onEvent((e: EslEvent) => {
    const w = waiting.get(e.headers['Unique-ID'] ?? '');
    if (!w || e.headers.Application !== 'socket') return;
    if (e.name === 'CHANNEL_EXECUTE') w.start = now();
    else if (w.start !== undefined)
      w.done({ ms: now() - w.start, decided: e.headers.variable_callrec_decided === 'true' });
  });
  // sessions-per-second is 30 by default and a loopback call is two sessions: at most 14 calls
  // start in any second, or the switch refuses them (Throttle Error).
  const starts: number[] = [];
  const room = async (n: number): Promise<void> => {
    for (;;) {
      while (starts.length > 0 && (starts[0] ?? 0) < Date.now() - 1000) starts.shift();
      if (starts.length + n <= 14) return;
      await new Promise((r) => setTimeout(r, (starts[0] ?? 0) + 1001 - Date.now()));
    }
  };
  const one = async (port: number): Promise<CallResult> => {
    const uuid = crypto.randomUUID();
    const held = new Promise<{ ms: number; decided: boolean } | null>((resolve) => {
      const timer = setTimeout(() => waiting.get(uuid)?.done(null), 10_000);
      waiting.set(uuid, {
        done: (r) => {
          clearTimeout(timer);
          waiting.delete(uuid);
          resolve(r);
        },
      });
    });
    const vars = [
      `origination_uuid=${uuid}`,
      'origination_caller_id_number=+13105550100',
      ...Object.entries(GATE_VARS).map(([k, v]) => `${k}=${v}`),
    ].join(',');
    const r = await esl.bgapi(
      `originate {${vars}}loopback/^^;answer;park/default/inline '&socket(127.0.0.1:${port} async full)'`,
      10_000,
    );
    if (!r.ok || !r.value.startsWith('+OK')) waiting.get(uuid)?.done(null);
    const h = await held;
    return { uuid, ms: h?.ms ?? NaN, exited: h?.decided ?? false };
  };
  return {
    async place(port, n) {
      await room(n);
      const t = Date.now();
      for (let i = 0; i < n; i++) starts.push(t);
      return Promise.all(Array.from({ length: n }, () => one(port)));
    },
    close: async () => {
      esl.close();
    },
  };
}

export const startPlacer = (c: SwitchConfig): Promise<Placer> =>
  c.kind === 'sim' ? Promise.resolve(simPlacer(c.playbackMs)) : realPlacer(c);
