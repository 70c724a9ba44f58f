// startController mounts the API and /metrics behind keys, next to the open health endpoints.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { loadConfig } from '../../controller/src/config';
import { startController, type Controller } from '../../controller/src/main';
import { createLogger } from '../../controller/src/util/logger';
import { runCli } from '../helpers/cli';

describe('the controller with its API', () => {
  let controller: Controller;
  let key: string;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callrec-ctlapi-'));
  const env = {
    CALLREC_DB_URL: `sqlite:${path.join(dir, 'db.sqlite3')}`,
    CALLREC_RECORDINGS_DIR: path.join(dir, 'rec'),
    CALLREC_JOURNAL_DIR: path.join(dir, 'journal'),
    CALLREC_ARI_URL: 'http://127.0.0.1:2',
  };

  beforeAll(async () => {
    await runCli(['migrate'], env);
    key = (await runCli(['keys', 'create', '--role', 'supervisor'], env)).out[0] as string;
    const cfg = loadConfig(env);
    cfg.http.port = 0;
    controller = await startController(
      cfg,
      createLogger({ level: 'error', format: 'json', stream: new PassThrough() }),
    );
  });
  afterAll(async () => {
    await controller.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const get = (p: string, k?: string) =>
    fetch(`http://127.0.0.1:${controller.address.port}${p}`, { headers: k ? { Authorization: `Bearer ${k}` } : {} });

  it('serves the API and metrics with a key, health without', async () => {
    expect((await get('/healthz')).status).toBe(200);
    expect((await get('/api/recordings')).status).toBe(401);
    expect(await (await get('/api/recordings', key)).json()).toEqual({ items: [], nextCursor: null });
    const metrics = await (await get('/metrics', key)).text();
    expect(metrics).toContain('callrec_calls_gated_total');
    expect(metrics).toContain('# TYPE callrec_gate_latency_seconds histogram');
    expect(metrics).toContain('callrec_purge_errors_total 0');
    expect(metrics).not.toContain('process_cpu'); // our registry, not prom-client's global defaults
  });

  it('lists no live calls until the call registry is wired', async () => {
    const r = await get('/api/calls/live', key);
    expect(await r.json()).toEqual({ items: [] });
  });
});
