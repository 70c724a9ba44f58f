// The API harness with a real WebhookWorker as its publisher, for the webhook delivery tests.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../controller/src/util/logger';
import { WebhookWorker, type WebhookOptions } from '../../controller/src/webhooks/worker';
import { startApi, type ApiHarness } from './api';

/**
 * The API on node `pbx1` publishing through a worker with `opts`, logging to the harness's log
 * (`h.logs`) unless given a `logger`. The worker is not started: that is the test's to do.
 */
export async function startWebhookApi(
  kind: 'mysql' | 'sqlite',
  opts: Omit<WebhookOptions, 'node'>,
  logger?: Logger,
): Promise<{ h: ApiHarness; worker: WebhookWorker; stop(): Promise<void> }> {
  let worker: WebhookWorker | undefined;
  const h = await startApi(kind, (store, apiLogger) => {
    worker = new WebhookWorker(store, { node: 'pbx1', ...opts }, logger ?? apiLogger);
    return { webhooks: worker };
  });
  const w = worker!;
  return {
    h,
    worker: w,
    stop: async () => {
      await w.stop();
      await h.close();
    },
  };
}

/** A webhook receiver on 127.0.0.1 answering with `handler`; `close` drops open connections too. */
export async function localReceiver(handler: http.RequestListener): Promise<{ url: string; close(): Promise<void> }> {
  const s = http.createServer(handler);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    close: () =>
      new Promise((r) => {
        s.close(() => r());
        s.closeAllConnections();
      }),
  };
}
