import { toAmiEvent } from '../../controller/src/pbx/asterisk/ami/events';
import { amiReplyError } from '../../controller/src/pbx/asterisk/ami/errors';
import { AmiParser, formatAction, type AmiFrame } from '../../controller/src/pbx/asterisk/ami/wire';
import { loadAmiTrace, toWire } from '../helpers/asterisk/ami-sim';

const trace = loadAmiTrace('q6-mixmonitor-mute-both');
const wire = `${String(trace[0]?._line)}\r\n${trace.map((r) => toWire(r)).join('')}`;

function feedAll(parts: string[]): AmiFrame[] {
  const p = new AmiParser();
  return parts.flatMap((c) => p.feed(c));
}

const whole = feedAll([wire]);

describe('AmiParser', () => {
  it('reads the banner and every message of the real trace from one chunk', () => {
    expect(whole[0]).toEqual({ kind: 'banner', text: 'Asterisk Call Manager/11.0.0' });
    expect(whole.slice(1).map((f) => (f.kind === 'message' ? (f.message.Event ?? f.message.Response) : ''))).toEqual([
      'Success',
      'MixMonitorStart',
      'Success',
      'MixMonitorMute',
      'Success',
      'MixMonitorMute',
      'Hangup',
    ]);
  });

  it.each([1, 2, 3, 7, 64, 500])('gives the same frames when the wire arrives in %i-byte chunks', (n) => {
    const parts: string[] = [];
    for (let i = 0; i < wire.length; i += n) parts.push(wire.slice(i, i + n));
    expect(feedAll(parts)).toEqual(whole);
  });

  it('splits a CRLF pair across chunks without losing the message boundary', () => {
    const frames = feedAll([
      'Asterisk Call Manager/11.0.0\r',
      '\nResponse: Success\r\nActionID: a1\r\n\r',
      '\nEvent: X\r\n',
      '\r\n',
    ]);
    expect(frames).toHaveLength(3);
    expect(frames[2]).toEqual({ kind: 'message', message: { Event: 'X' } });
  });

  it('keeps an incomplete message until its blank line arrives', () => {
    const p = new AmiParser();
    expect(p.feed('Asterisk Call Manager/11.0.0\r\nResponse: Success\r\nActionID: a')).toHaveLength(1);
    expect(p.pending()).toBeGreaterThan(0);
    expect(p.feed('7\r\n\r\n')).toEqual([{ kind: 'message', message: { Response: 'Success', ActionID: 'a7' } }]);
  });
});

describe('formatAction', () => {
  it('writes the action, its ActionID and fields as CRLF lines ending with a blank line', () => {
    expect(
      formatAction('MixMonitorMute', 'x1', { Channel: 'Local/100@hp-mm-00000a4b;2', Direction: 'both', State: 1 }),
    ).toBe(
      'Action: MixMonitorMute\r\nActionID: x1\r\nChannel: Local/100@hp-mm-00000a4b;2\r\nDirection: both\r\nState: 1\r\n\r\n',
    );
  });

  it('refuses a value with a line break (header injection)', () => {
    expect(formatAction('MixMonitor', 'x', { File: 'a.wav\r\nAction: Logoff' })).toEqual({
      invalid: 'MixMonitor field File contains a line break',
    });
  });
});

describe('toAmiEvent', () => {
  const events = whole.flatMap((f) => (f.kind === 'message' ? [toAmiEvent(f.message)] : []));

  it('types the MixMonitor events of the trace and ignores responses', () => {
    expect(events.filter(Boolean).map((e) => e && e.type)).toEqual([
      'MixMonitorStart',
      'MixMonitorMute',
      'MixMonitorMute',
      'Hangup',
    ]);
    expect(events[3]).toEqual({
      type: 'MixMonitorMute',
      channel: 'Local/100@hp-mm-00000a4b;2',
      uniqueId: '1795384411.5273',
      linkedId: '1795384411.5272',
      direction: 'both',
      muted: true,
    });
    expect(events[5]).toMatchObject({ type: 'MixMonitorMute', muted: false });
  });

  it('reads a feature-code UserEvent with its own lower-case fields', () => {
    const e = toAmiEvent({
      Event: 'UserEvent',
      Privilege: 'user,all',
      Channel: 'Local/agent@hp-agents-00000a52;1',
      Uniqueid: '1795384480.5286',
      Linkedid: '1795384476.5284',
      UserEvent: 'CallrecFeature',
      action: 'pause',
      channel: 'Local/agent@hp-agents-00000a52;1',
    });
    expect(e).toEqual({
      type: 'UserEvent',
      name: 'CallrecFeature',
      channel: 'Local/agent@hp-agents-00000a52;1',
      uniqueId: '1795384480.5286',
      linkedId: '1795384476.5284',
      fields: { action: 'pause', channel: 'Local/agent@hp-agents-00000a52;1' },
    });
  });

  it.each([
    [{ Event: 'MixMonitorStart', Uniqueid: '1' }],
    [{ Event: 'MixMonitorMute', Channel: 'c', Uniqueid: '1', Direction: 'sideways', State: '1' }],
    [{ Event: 'Newchannel', Channel: 'c', Uniqueid: '1' }],
  ])('drops a malformed or unused event %j', (m) => {
    expect(toAmiEvent(m)).toBeNull();
  });
});

describe('amiReplyError', () => {
  it.each([
    ['No such channel', 'not-found'],
    ['Could not stop monitoring channel', 'not-found'],
    ['Cannot set mute flag', 'not-found'],
    ['Permission denied', 'rejected'],
    ['Invalid/unknown command: Foo. Use Action: ListCommands to show available commands.', 'rejected'],
  ])('maps "Response: Error" with "%s" to %s', (message, kind) => {
    expect(amiReplyError('StopMixMonitor', { Response: 'Error', Message: message })).toEqual({
      kind,
      detail: `AMI StopMixMonitor: ${message}`,
    });
  });

  it('is null for a success', () => {
    expect(amiReplyError('MixMonitor', { Response: 'Success' })).toBeNull();
  });
});

describe('AmiParser repeated keys', () => {
  it('joins the Output lines of a Command reply in order', () => {
    const p = new AmiParser();
    const frames = p.feed(
      'Asterisk Call Manager/11.0.0\r\nResponse: Success\r\nActionID: c1\r\nMessage: Command output follows\r\nOutput: line one\r\nOutput: line two\r\n\r\n',
    );
    expect(frames[1]).toEqual({
      kind: 'message',
      message: { Response: 'Success', ActionID: 'c1', Message: 'Command output follows', Output: 'line one\nline two' },
    });
  });
});
