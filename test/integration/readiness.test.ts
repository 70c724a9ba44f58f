// /readyz is unauthenticated: it says which part is down, never the error text (user, host,
// port); the details go to the log, once per change of state.
import type http from 'node:http';
import { PassThrough } from 'node:stream';
import { closeServer, createHttpApp, listen } from '../../controller/src/api/server';
import { openDb } from '../../controller/src/store';
import { createLogger } from '../../controller/src/util/logger';

describe('readiness', () => {
  it('names the database as down without its error text, and logs the details once', async () => {
    // A real MySQL client against a port nothing listens on: the error names user, host and port.
    const db = openDb('mysql://spyuser:pw@127.0.0.1:1/secretdb');
    const logs: string[] = [];
    const stream = new PassThrough();
    stream.on('data', (c: Buffer) => logs.push(...c.toString().trim().split('\n')));
    let up = false;
    const app = createHttpApp({
      logger: createLogger({ level: 'debug', format: 'json', stream }),
      pingDb: async () => {
        if (!up) await db.knex.raw('select 1');
      },
      pbxStatus: () => 'connected',
    });
    const server: http.Server = await listen(app, '127.0.0.1', 0);
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/readyz`;
    try {
      for (let i = 0; i < 3; i += 1) {
        const r = await fetch(url);
        expect(r.status).toBe(503);
        const text = await r.text();
        expect(JSON.parse(text)).toEqual({ status: 'not-ready', db: 'unavailable', pbx: 'connected' });
        expect(text).not.toMatch(/127\.0\.0\.1|spyuser|ECONNREFUSED|:1\b/);
      }
      up = true;
      expect((await fetch(url)).status).toBe(200);
      const down = logs.filter((l) => l.includes('database unavailable'));
      expect(down).toHaveLength(1);
      expect(down[0]).toMatch(/ECONNREFUSED/);
      expect(logs.filter((l) => l.includes('database reachable again'))).toHaveLength(1);
    } finally {
      await closeServer(server);
      await db.close();
    }
  });
});
