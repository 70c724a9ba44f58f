import { PassThrough } from 'node:stream';
import { createLogger } from '../../controller/src/util/logger';

describe('logger', () => {
  it('writes JSON lines with the call id and strips secrets by key name', async () => {
    const stream = new PassThrough();
    const chunks: string[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c.toString()));
    const logger = createLogger({ level: 'info', format: 'json', stream });
    logger
      .child({ callId: '1732312345.12' })
      .info('recording started', { password: 'hunter2', nested: { secret: 'x', file: 'a.wav' } });
    await new Promise((r) => setImmediate(r));
    const line = JSON.parse(chunks.join('').trim()) as Record<string, unknown>;
    expect(line).toMatchObject({
      callId: '1732312345.12',
      message: 'recording started',
      password: '***',
      nested: { secret: '***', file: 'a.wav' },
    });
    expect(chunks.join('')).not.toContain('hunter2');
  });
});
