// Audio through HTTP: ranges for seeking, the download name, the audit trail, and files outside
// the recordings directory that must never be served.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { STORE_KINDS } from '../helpers/db';
import { startApi, type ApiHarness } from '../helpers/api';

const BYTES = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 256));

/** A raw request, so `..` segments reach the server as written (fetch would normalize them). */
function rawGet(h: ApiHarness, rawPath: string, key: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(h.url('/'));
    const req = http.request(
      { host: u.hostname, port: u.port, path: rawPath, headers: { Authorization: `Bearer ${key}` } },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => {
          body += c.toString('latin1');
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe.each(STORE_KINDS)('recording audio on %s', (kind) => {
  let h: ApiHarness;
  let id: number;
  let secretFile: string;
  beforeAll(async () => {
    h = await startApi(kind);
    id = (
      await h.addRecording({
        file: BYTES,
        fromNumber: '+13105550100',
        toNumber: '+12125550123',
        startedAt: new Date('2026-11-22T10:04:05Z'),
      })
    ).id;
    secretFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'callrec-outside-')), 'passwd');
    fs.writeFileSync(secretFile, 'root:x:0:0:SECRET');
  });
  afterAll(async () => {
    await h.close();
  });

  const audio = (range?: string, q = '') =>
    h.get(`/api/recordings/${id}/audio${q}`, h.keys.admin, range ? { Range: range } : {});

  it('serves the whole file with Accept-Ranges', async () => {
    const r = await audio();
    expect(r.status).toBe(200);
    expect(r.headers.get('accept-ranges')).toBe('bytes');
    expect(r.headers.get('content-type')).toBe('audio/wav');
    expect(Buffer.from(await r.arrayBuffer())).toEqual(BYTES);
  });

  it.each([
    ['first bytes', 'bytes=0-99', 0, 99],
    ['a middle range', 'bytes=400-599', 400, 599],
    ['an open-ended range', 'bytes=990-', 990, 999],
    ['a suffix', 'bytes=-100', 900, 999],
    ['a suffix longer than the file', 'bytes=-5000', 0, 999],
    ['an end past the file', 'bytes=950-5000', 950, 999],
  ])('answers %s with 206 and exactly those bytes', async (_name, range, start, end) => {
    const r = await audio(range);
    expect(r.status).toBe(206);
    expect(r.headers.get('content-range')).toBe(`bytes ${start}-${end}/1000`);
    expect(r.headers.get('content-length')).toBe(String(end - start + 1));
    expect(Buffer.from(await r.arrayBuffer())).toEqual(BYTES.subarray(start, end + 1));
  });

  it.each(['bytes=1000-', 'bytes=500-400', 'bytes=-0', 'bytes=abc', 'items=0-10', 'bytes=-'])(
    'refuses %s with 416 and the size',
    async (range) => {
      const r = await audio(range);
      expect(r.status).toBe(416);
      expect(r.headers.get('content-range')).toBe('bytes */1000');
      expect(await r.json()).toMatchObject({ error: 'range-not-satisfiable' });
    },
  );

  it('answers a multi-range request with the whole file (documented choice)', async () => {
    const r = await audio('bytes=0-9,20-29');
    expect(r.status).toBe(200);
    expect((await r.arrayBuffer()).byteLength).toBe(1000);
  });

  it('names a download YYYYMMDDhhmmss-from-to-id.wav', async () => {
    const r = await audio(undefined, '?download=1');
    expect(r.headers.get('content-disposition')).toBe(
      `attachment; filename="20261122100405-+13105550100-+12125550123-${id}.wav"`,
    );
  });

  it('writes one audit row per listen and download with the key name and role', async () => {
    const before = (await h.store.events.forRecording(id)).length;
    await (await h.get(`/api/recordings/${id}/audio`, h.keys.agent, { Range: 'bytes=0-9' })).arrayBuffer();
    await (await h.get(`/api/recordings/${id}/audio?download=1`, h.keys.supervisor)).arrayBuffer();
    const events = (await h.store.events.forRecording(id)).slice(before);
    expect(events.map((e) => [e.type, e.actor, e.detail?.bytes])).toEqual([
      ['listened', 'alice (agent, key 3)', '0-9/1000'],
      ['downloaded', 'lead (supervisor, key 2)', '0-999/1000'],
    ]);
  });

  it.each([
    '/api/recordings/../../etc/passwd/audio',
    '/api/recordings/..%2F..%2Fetc%2Fpasswd/audio',
    '/api/recordings/1%2F..%2F..%2Fetc%2Fpasswd/audio',
    '/api/recordings/1%2F../audio',
    '/api/recordings/%2e%2e/audio',
    '/api/recordings/-1/audio',
    '/api/recordings/1e3/audio',
    '/api/recordings/0x1/audio',
    '/api/recordings/1/audio?file=/etc/passwd',
    '/api/recordings/1/audio?download=../../etc/passwd',
    '/api/recordings/1/audio?path=..%2F..%2Fetc%2Fpasswd',
  ])('never serves a file named by the request: %s', async (p) => {
    const r = await rawGet(h, p, h.keys.admin);
    expect([400, 404]).toContain(r.status);
    expect(r.body).not.toContain('root:');
    expect(JSON.parse(r.body)).toMatchObject({ error: expect.any(String) });
  });

  it.each([
    ['a relative path climbing out', () => path.relative(h.root, secretFile)],
    ['an absolute path', () => secretFile],
    [
      'a symlink inside the root pointing out',
      () => {
        fs.symlinkSync(secretFile, path.join(h.root, 'evil.wav'));
        return 'evil.wav';
      },
    ],
    [
      'a symlinked directory pointing out',
      () => {
        fs.symlinkSync(path.dirname(secretFile), path.join(h.root, 'evil-dir'));
        return 'evil-dir/passwd';
      },
    ],
  ])('refuses a row whose file_path escapes the root: %s', async (_name, filePath) => {
    const rec = await h.addRecording({ file: null, filePath: filePath() });
    const r = await h.get(`/api/recordings/${rec.id}/audio`, h.keys.admin);
    expect(r.status).toBe(404);
    expect(await r.text()).not.toContain('SECRET');
    expect(h.logs.join('\n')).toContain('recording path escapes the recordings directory');
  });

  it('answers 410 for a purged recording and 404 for a missing file', async () => {
    const purged = await h.addRecording({ state: 'purged' });
    expect((await h.get(`/api/recordings/${purged.id}/audio`, h.keys.admin)).status).toBe(410);
    const missing = await h.addRecording({ file: null });
    expect(await (await h.get(`/api/recordings/${missing.id}/audio`, h.keys.admin)).json()).toMatchObject({
      error: 'file-unavailable',
    });
  });
});
