// The switch side of the gate bench as the main thread sees it: places waves of calls on a gate
// (from the switch thread, or in the gates' own thread when asked) and ends the simulator's calls.
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { EslSim } from '../../test/helpers/freeswitch/esl-sim';
import { fsEvents } from '../../test/helpers/freeswitch/traces';
import { startPlacer, type CallResult, type Placer, type SwitchConfig } from './placers';
import type { PlaceRequest, ThreadMessage } from './switch-thread';

export interface BenchSwitch {
  readonly label: string;
  /** The largest wave of simultaneous calls it takes. */
  readonly concurrency: number;
  place(port: number, n: number): Promise<CallResult[]>;
  /** Ends calls the gate has let go (the simulator's calls never hang up by themselves). */
  hangup(uuids: readonly string[]): void;
  close(): Promise<void>;
}

let seq = 900000;
let ending: Array<Record<string, string>> | null = null;
/** CHANNEL_HANGUP and CHANNEL_DESTROY of the recorded call's A leg, for another call id. */
function hangupLines(uuid: string): string[] {
  const recorded = '30a4f971-e58d-4146-994a-f74d1e46669d';
  ending ??= fsEvents('uuid-record.events.jsonl').filter(
    (e) =>
      e['Unique-ID'] === recorded && (e['Event-Name'] === 'CHANNEL_HANGUP' || e['Event-Name'] === 'CHANNEL_DESTROY'),
  );
  return ending.map((e) => JSON.stringify({ ...e, 'Unique-ID': uuid, 'Event-Sequence': String(++seq) }));
}

function threadPlacer(config: SwitchConfig): Promise<Placer> {
  // The worker loads TypeScript through the same swc hook (execArgv is inherited).
  const worker = new Worker(`require(${JSON.stringify(path.join(__dirname, 'switch-thread.ts'))})`, {
    eval: true,
    workerData: config,
  });
  const pending = new Map<number, (r: CallResult[]) => void>();
  let ids = 0;
  return new Promise((resolve, reject) => {
    worker.on('error', reject);
    worker.on('message', (m: ThreadMessage) => {
      if ('failed' in m) return reject(new Error(m.failed));
      if ('ready' in m) {
        return resolve({
          place: (port, n) =>
            new Promise((done) => {
              const req: PlaceRequest = { id: ++ids, port, n };
              pending.set(req.id, done);
              worker.postMessage(req);
            }),
          close: async () => {
            worker.postMessage('close');
            await new Promise((r) => worker.once('exit', r));
          },
        });
      }
      pending.get(m.id)?.(m.results);
      pending.delete(m.id);
    });
  });
}

/** The simulator (hangups through the watcher's simulator) or a real FreeSWITCH. */
export async function startSwitch(
  config: SwitchConfig,
  watcher: EslSim | null,
  inProcess: boolean,
): Promise<BenchSwitch> {
  const placer = inProcess ? await startPlacer(config) : await threadPlacer(config);
  const where = inProcess ? "in the gates' thread" : 'in its own thread';
  return {
    label:
      config.kind === 'sim'
        ? `simulator on 127.0.0.1 ${where} (replayed FreeSWITCH 1.10.12 frames), playback ${config.playbackMs} ms`
        : `FreeSWITCH at ${config.host}:${config.port}, loopback calls, observed ${where}`,
    // A real switch allows 30 new sessions a second by default; a loopback call is two.
    concurrency: config.kind === 'sim' ? 20 : 10,
    place: (port, n) => placer.place(port, n),
    hangup(uuids) {
      if (watcher && uuids.length > 0) watcher.emit(uuids.flatMap(hangupLines));
    },
    close: () => placer.close(),
  };
}
