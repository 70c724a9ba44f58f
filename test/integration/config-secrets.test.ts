// Secrets inside URL settings (user:password@) are masked wherever callrec prints a URL: doctor,
// the start log, config errors. A database password with a bare % is refused at load, clearly.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { ConfigError, loadConfig, redactedConfig } from '../../controller/src/config';
import { startController } from '../../controller/src/main';
import { createLogger } from '../../controller/src/util/logger';
import { WebhookWorker } from '../../controller/src/webhooks/worker';
import { startApi } from '../helpers/api';
import { runCli } from '../helpers/cli';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'callrec-secrets-'));
const PW = 'Sup3rSecretPW';

describe('secrets in URL settings', () => {
  it('are masked in doctor', async () => {
    const dir = tmp();
    const r = await runCli(['doctor'], {
      CALLREC_ARI_URL: `http://ariuser:${PW}@127.0.0.1:2`,
      CALLREC_AMI_PORT: '2',
      CALLREC_DB_URL: `sqlite:${path.join(dir, 'db.sqlite3')}`,
      CALLREC_RECORDINGS_DIR: dir,
    });
    const text = [...r.out, ...r.err].join('\n');
    expect(text).toMatch(/pbx ari\s+ARI at http:\/\/ariuser:\*\*\*@127\.0\.0\.1:2/);
    expect(text).not.toContain(PW);
  });

  it('are masked in the start log and in the printed configuration', async () => {
    const dir = tmp();
    const cfg = loadConfig({
      CALLREC_DB_URL: `sqlite:${path.join(dir, 'db.sqlite3')}`,
      CALLREC_RECORDINGS_DIR: path.join(dir, 'rec'),
      CALLREC_ARI_URL: `http://ariuser:${PW}@127.0.0.1:2`,
      CALLREC_AMI_PORT: '2',
      CALLREC_WEBHOOK_URLS: `https://hook:${PW}@127.0.0.1:9/in`,
    });
    cfg.http.port = 0;
    const lines: string[] = [];
    const stream = new PassThrough();
    stream.on('data', (c: Buffer) => lines.push(...c.toString().trim().split('\n')));
    const controller = await startController(cfg, createLogger({ level: 'debug', format: 'json', stream }));
    await new Promise((r) => setTimeout(r, 300));
    await controller.stop();
    expect(lines.join('\n')).toMatch(/ARI at http:\/\/ariuser:\*\*\*@127\.0\.0\.1:2/);
    expect(lines.join('\n')).not.toContain(PW);
    expect(JSON.stringify(redactedConfig(cfg))).not.toContain(PW);
  });

  it('refuses a database password with a bare % at load, saying how to write it, without the password', () => {
    let problem = '';
    try {
      loadConfig({ CALLREC_DB_URL: 'mysql://callrec:50%off!@127.0.0.1:3306/callrec' });
    } catch (e) {
      problem = (e as ConfigError).problems.join('\n');
    }
    expect(problem).toMatch(/CALLREC_DB_URL: .*%25/);
    expect(problem).not.toContain('50%off');
    expect(loadConfig({ CALLREC_DB_URL: 'mysql://callrec:50%25off!@127.0.0.1:3306/callrec' }).db.url).toContain(
      '50%25off',
    );
  });
});

describe('CALLREC_TRUST_PROXY', () => {
  it.each([
    ['false', false],
    ['2', 2],
    ['loopback, 10.0.0.0/8', 'loopback,10.0.0.0/8'],
    ['::1', '::1'],
  ])('reads %s', (raw, value) => {
    expect(loadConfig({ CALLREC_TRUST_PROXY: raw }).http.trustProxy).toEqual(value);
  });

  it.each(['everyone', 'true', '10.0.0.0/8/1', '99'])('refuses %s, naming what is allowed', (raw) => {
    expect(() => loadConfig({ CALLREC_TRUST_PROXY: raw })).toThrow(
      /CALLREC_TRUST_PROXY: must be false, a number of proxy hops/,
    );
  });
});

describe('a webhook URL with credentials', () => {
  it('keeps the password out of the stored error and the log', async () => {
    let worker: WebhookWorker | undefined;
    const h = await startApi('sqlite', (store, logger) => {
      worker = new WebhookWorker(
        store,
        {
          node: 'pbx1',
          urls: [`http://hook:${PW}@127.0.0.1:9/in`],
          secret: '',
          maxAttempts: 1,
          retryBaseMs: 10,
          timeoutMs: 500,
        },
        logger,
      );
      return { webhooks: worker };
    });
    try {
      const rec = await h.addRecording();
      await worker?.publish(rec.id, 'recording.completed');
      expect(await worker?.runOnce()).toBe(1);
      const [d] = await h.store.webhooks.forRecording(rec.id);
      expect(d?.state).toBe('failed');
      expect(d?.lastError).toMatch(/hook:\*\*\*@127\.0\.0\.1:9/);
      expect(h.logs.join('\n')).not.toContain(PW);
    } finally {
      await h.close();
    }
  });
});
