// The Asterisk gate benches' floors: ARI clients that answer each StasisStart with nothing but
// `continue` (the physical limit: the PBX's own round trip), or with the three requests of the
// old gate (subscribe, one POST /variables, continue). Both send the decision callrec would
// send, so the channel runs the same dialplan after the gate as callrec's; requests go over
// callrec's own raw kept-alive connections (AriPipeline), the fastest client here: a floor differs
// from callrec only by what callrec does between the event and the request.
// bench/gate.ts runs it against the simulator, bench/gate-asterisk-pbx.ts against a real Asterisk.
import WebSocket from 'ws';
import { planFile } from '../controller/src/calls/paths';
import { AriPipeline, type PipedRequest } from '../controller/src/pbx/asterisk/ari-pipeline';
import { decisionExtension } from '../controller/src/pbx/asterisk/gate-extension';

/** What callrec's decision "record from ringing, mono, no beep" looks like for one channel. */
export interface FloorDecision {
  /** The callrec-gate extension carrying it (continue-only floor). */
  extension: string;
  /** The same as variables (3-call floor), continuing where the gate's dialplan goes on. */
  variables: Record<string, string>;
}

export interface FloorOptions {
  url: string;
  user: string;
  password: string;
  app: string;
  decide: (channelId: string) => FloorDecision;
  /** continue: only `continue`; three: subscribe, variables, continue. */
  mode?: 'continue' | 'three';
}

/** Connects and answers every StasisStart of `app`; resolves once the websocket is open, with its close. */
export async function ariFloorClient(o: FloorOptions): Promise<() => void> {
  const u = new URL(o.url);
  const pipe = new AriPipeline(o.url, o.user, o.password, { timeoutMs: 2000, maxIdle: 32 });
  const call = async (q: PipedRequest) => {
    await pipe.send([q]);
  };
  const ws = new WebSocket(
    `ws://${u.host}/ari/events?app=${o.app}&api_key=${encodeURIComponent(`${o.user}:${o.password}`)}`,
  );
  await new Promise((r, j) => {
    ws.once('open', r);
    ws.once('error', j);
  });
  ws.on('message', (d) => {
    const e = JSON.parse(d.toString()) as { type: string; channel?: { id: string } };
    if (e.type !== 'StasisStart' || !e.channel) return;
    const id = e.channel.id;
    const decision = o.decide(id);
    const path = `/channels/${id}/continue`;
    if (o.mode === 'continue')
      return void call({
        method: 'POST',
        path,
        query: { context: 'callrec-gate', extension: decision.extension, priority: '1' },
      });
    void (async () => {
      await call({
        method: 'POST',
        path: `/applications/${o.app}/subscription`,
        query: { eventSource: `channel:${id}` },
      });
      await call({ method: 'POST', path: `/channels/${id}/variables`, body: { variables: decision.variables } });
      await call({ method: 'POST', path });
    })();
  });
  return () => {
    ws.close();
    pipe.close();
  };
}

/** The decision for a call from `from` to `to` at `now`, filed under `root` as callrec plans it. */
export function floorDecision(root: string, from: string, to: string, now = new Date()): (id: string) => FloorDecision {
  return (id) => {
    const file = planFile(now, from, to, id, root).pbxPath;
    const extension = decisionExtension({ record: true, file, recorder: null }, id, root);
    if (!extension) throw new Error(`no decision extension for ${file}`);
    return {
      extension,
      variables: { CALLREC_ACTION: 'record', CALLREC_FILE: file, CALLREC_OPTIONS: '', CALLREC_DECIDED: '1' },
    };
  };
}
