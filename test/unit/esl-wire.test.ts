import { EventOrderer } from '../../controller/src/pbx/freeswitch/esl/order';
import { FrameParser } from '../../controller/src/pbx/freeswitch/esl/frame';
import { subscriptionCommand } from '../../controller/src/pbx/freeswitch/esl/session';
import { fsCommands, fsEventLines, fsFixtureText } from '../helpers/freeswitch/traces';

describe('subscriptionCommand', () => {
  it.each([
    [['RECORD_START', 'RECORD_STOP'], [], 'event json RECORD_START RECORD_STOP'],
    [['DTMF', 'CUSTOM', 'dtmf'], ['callrec::feature'], 'event json DTMF CUSTOM callrec::feature'],
    [['CUSTOM', 'CHANNEL_ANSWER'], ['a::b', 'c::d'], 'event json CHANNEL_ANSWER CUSTOM a::b c::d'],
  ])('%j + %j -> %s', (events, subs, expected) => {
    expect(subscriptionCommand(events, subs)).toBe(expected);
  });

  it('refuses ALL (the watcher names what it needs)', () => {
    expect(() => subscriptionCommand(['ALL'])).toThrow(/named events/);
  });
});

describe('FrameParser over the captured wire', () => {
  it.each([1, 7, 1000, 1 << 20])('splits uuid-record.wire.txt identically in chunks of %i bytes', (size) => {
    const bytes = Buffer.from(fsFixtureText('uuid-record.wire.txt'));
    const p = new FrameParser();
    const frames = [];
    for (let i = 0; i < bytes.length; i += size) frames.push(...p.push(bytes.subarray(i, i + size)));
    const types = frames.map((f) => f.headers['Content-Type']);
    expect(types.filter((t) => t === 'api/response')).toHaveLength(fsCommands().filter((c) => c.kind === 'api').length);
    expect(types.filter((t) => t === 'text/event-json')).toHaveLength(fsEventLines('uuid-record.events.jsonl').length);
    expect(types[0]).toBe('auth/request');
    const events = frames
      .filter((f) => f.headers['Content-Type'] === 'text/event-json')
      .map((f) => JSON.parse(f.body) as Record<string, string>);
    expect(events.every((e) => typeof e['Event-Name'] === 'string')).toBe(true);
  });

  it('reads the plain (URL-encoded) subscription wire', () => {
    const frames = new FrameParser().push(Buffer.from(fsFixtureText('uuid-record.plain-wire.txt')));
    const plain = frames.filter((f) => f.headers['Content-Type'] === 'text/event-plain');
    expect(plain.length).toBeGreaterThan(0);
    expect(plain.some((f) => f.body.includes('Event-Name: RECORD_START'))).toBe(true);
  });
});

describe('EventOrderer', () => {
  it('releases events held in one window in Event-Sequence order', () => {
    jest.useFakeTimers();
    const out: number[] = [];
    const o = new EventOrderer<{ seq: number }>((e) => out.push(e.seq), 5);
    for (const seq of [560, 559, 562]) o.push({ seq });
    expect(out).toEqual([]);
    jest.advanceTimersByTime(5);
    expect(out).toEqual([559, 560, 562]);
    jest.useRealTimers();
  });

  it('still delivers an event that arrives after its window, and says so', () => {
    const late: number[] = [];
    const out: number[] = [];
    const o = new EventOrderer<{ seq: number }>(
      (e) => out.push(e.seq),
      0,
      (e) => late.push(e.seq),
    );
    for (const seq of [592, 591]) o.push({ seq });
    expect(out).toEqual([592, 591]);
    expect(late).toEqual([591]);
  });
});
