import { parseResponse } from '../../controller/src/pbx/asterisk/ari-pipeline';
import { decisionExtension, MAX_EXTENSION } from '../../controller/src/pbx/asterisk/gate-extension';

const ROOT = '/var/spool/asterisk/callrec';
const file = (from: string, to: string, id = '1795390000.7') =>
  `${ROOT}/2026/11/24/20261124031500-${from}-${to}-${id}.wav`;
const spec = { fromAnswer: true, beepEverySeconds: null, stereo: false };

describe('the decision extension', () => {
  it.each([
    [{ record: false, file: null, recorder: null }, 'skip'],
    [
      { record: true, file: file('+13105550100', '+12125550123'), recorder: spec },
      'recbM0~20261124031500~+13105550100~+12125550123',
    ],
    [
      {
        record: true,
        file: file('anonymous', '100'),
        recorder: { fromAnswer: false, beepEverySeconds: 15, stereo: true },
      },
      'recaD15~20261124031500~anonymous~100',
    ],
  ])('names %j as %s', (d, ext) => {
    expect(decisionExtension(d, '1795390000.7', ROOT)).toBe(ext);
  });

  it.each([
    ['a file of another channel', file('1', '2', '1795390000.8')],
    ['a file outside the root', `/tmp/2026/11/24/20261124031500-1-2-1795390000.7.wav`],
    ['a name past 80 bytes', file('1'.repeat(40), '2'.repeat(40))],
    ['a date that is not the stamp', `${ROOT}/2026/11/25/20261124031500-1-2-1795390000.7.wav`],
  ])('leaves %s to the variables', (_what, f) => {
    expect(decisionExtension({ record: true, file: f, recorder: spec }, '1795390000.7', ROOT)).toBeNull();
    expect(MAX_EXTENSION).toBe(79);
  });

  it('refuses a beep MixMonitor would refuse', () => {
    const recorder = { fromAnswer: true, beepEverySeconds: 0, stereo: false };
    expect(decisionExtension({ record: true, file: file('1', '2'), recorder }, '1795390000.7', ROOT)).toBeNull();
  });
});

describe('pipelined answers', () => {
  const two = Buffer.from(
    'HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n' +
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"a":\r\n2\r\n1}\r\n0\r\n\r\n',
  );

  it('reads answers one after the other, chunked or not', () => {
    const first = parseResponse(two);
    expect(first).toMatchObject({ status: 204, body: '' });
    const rest = two.subarray((first as { used: number }).used);
    expect(parseResponse(rest)).toMatchObject({ status: 200, body: '{"a":1}', used: rest.length });
  });

  it('waits for the rest of a partial answer', () => {
    expect(parseResponse(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{"a"'))).toBeNull();
    expect(parseResponse(Buffer.from('HTTP/1.1 200 OK\r\nContent-'))).toBeNull();
  });

  it('names what it cannot read', () => {
    expect(parseResponse(Buffer.from('SIP/2.0 200 OK\r\n\r\n'))).toEqual({
      error: expect.stringMatching(/status line/),
    });
    expect(parseResponse(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n'))).toEqual({
      error: 'bad Content-Length',
    });
  });
});
