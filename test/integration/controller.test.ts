import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { loadConfig } from '../../controller/src/config';
import { startController, type Controller } from '../../controller/src/main';
import { filePool } from '../../controller/src/retention/file-pool';
import { createLogger } from '../../controller/src/util/logger';
import { writeWav } from '../helpers/call-harness';

/** An embedded store and recordings under dir, a PBX that is not there, any free HTTP port. */
function configIn(dir: string) {
  const cfg = loadConfig({
    CALLREC_DB_URL: `sqlite:${path.join(dir, 'callrec.sqlite3')}`,
    CALLREC_RECORDINGS_DIR: path.join(dir, 'rec'),
    CALLREC_JOURNAL_DIR: path.join(dir, 'journal'),
    CALLREC_HTTP_PORT: '1',
    CALLREC_ARI_URL: 'http://127.0.0.1:2',
    CALLREC_AMI_PORT: '2',
  });
  cfg.http.port = 0;
  return cfg;
}

describe('the controller on the embedded store', () => {
  let controller: Controller;
  const lines: string[] = [];
  // Recorded by the dialplan's fallback while callrec was stopped.
  const orphan = '2026/11/23/20261123101500-2125550123-600-1763900000.42.wav';

  beforeAll(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callrec-ctl-'));
    const cfg = configIn(dir);
    writeWav(path.join(dir, 'rec', orphan), 2);
    fs.utimesSync(path.join(dir, 'rec', orphan), new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    const stream = new PassThrough();
    stream.on('data', (c: Buffer) => lines.push(...c.toString().trim().split('\n')));
    controller = await startController(cfg, createLogger({ level: 'info', format: 'json', stream }));
  });
  afterAll(async () => {
    await controller.stop();
  });

  const url = (p: string) => `http://127.0.0.1:${controller.address.port}${p}`;

  it('answers /healthz and /readyz with the PBX link reported', async () => {
    expect(await (await fetch(url('/healthz'))).json()).toEqual({ status: 'ok' });
    const ready = await fetch(url('/readyz'));
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ready',
      db: 'ok',
      pbx: expect.stringMatching(/connecting|connected/),
      journal: { depth: 0, oldestAt: null },
    });
  });

  it('logs once that it is waiting for the PBX, not once per retry', async () => {
    await new Promise((r) => setTimeout(r, 2500));
    const waiting = lines.filter((l) => l.includes('waiting for the PBX'));
    // One line per link (ARI and AMI), however many retries happened.
    expect(waiting.filter((l) => l.includes('ARI at http://127.0.0.1:2 unreachable'))).toHaveLength(1);
    expect(waiting.filter((l) => l.includes('AMI at 127.0.0.1:2 unreachable'))).toHaveLength(1);
  });

  it('gives a file recorded while it was stopped its rows within seconds of starting', async () => {
    const end = Date.now() + 10_000;
    let call = await controller.store.calls.findByPbxId(os.hostname(), '1763900000.42');
    while (!call && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 100));
      call = await controller.store.calls.findByPbxId(os.hostname(), '1763900000.42');
    }
    expect(call).toMatchObject({ state: 'done', consentOutcome: 'fallback' });
    expect(await controller.store.recordings.forCall(call!.id)).toMatchObject([
      { state: 'completed', durationMs: 2000, filePath: orphan },
    ]);
  });
});

describe('the controller stopping', () => {
  it('stops the file threads a purge or a seal started', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callrec-ctl-stop-'));
    const cfg = configIn(dir);
    const controller = await startController(
      cfg,
      createLogger({ level: 'error', format: 'json', stream: new PassThrough().resume() }),
    );
    await filePool.locate(path.join(dir, 'rec'), ['2026/11/23/none.wav']);
    expect(filePool.threads).toBe(1);
    await controller.stop();
    expect(filePool.threads).toBe(0);
  });
});
