// The switch side in its own thread, as FreeSWITCH is its own process: the frames it builds and
// parses, and its clock, do not queue on the gates' event loop. Started by startSwitch (switch.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { startPlacer, type CallResult, type SwitchConfig } from './placers';

export interface PlaceRequest {
  id: number;
  port: number;
  n: number;
}
export type ThreadMessage = { id: number; results: CallResult[] } | { ready: true } | { failed: string };

void startPlacer(workerData as SwitchConfig).then(
  (placer) => {
    parentPort?.on('message', (req: PlaceRequest | 'close') => {
      if (req === 'close') {
        void placer.close().then(() => parentPort?.close());
        return;
      }
      void placer
        .place(req.port, req.n)
        .then((results) => parentPort?.postMessage({ id: req.id, results } satisfies ThreadMessage));
    });
    parentPort?.postMessage({ ready: true } satisfies ThreadMessage);
  },
  (e: unknown) => parentPort?.postMessage({ failed: (e as Error).message } satisfies ThreadMessage),
);
