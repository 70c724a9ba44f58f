import { parseChannels, parseRecordingBugs, parseStoredId } from '../../controller/src/pbx/freeswitch/sweep';
import { gateFacts, recordStopFacts, toPbxEvent } from '../../controller/src/pbx/freeswitch/events';
import { FrameParser, parseHead } from '../../controller/src/pbx/freeswitch/esl/frame';
import { fsEvents, fsFixtureText } from '../helpers/freeswitch/traces';

const find = (file: string, name: string) => {
  const e = fsEvents(file).find((x) => x['Event-Name'] === name);
  if (!e) throw new Error(`${name} not in ${file}`);
  return e;
};

describe('FreeSWITCH event mapping from the real traces', () => {
  it.each([
    ['uuid-record.events.jsonl', 'CHANNEL_ANSWER', { type: 'CallAnswered' }],
    ['uuid-record.events.jsonl', 'DTMF', { type: 'DtmfReceived', digit: '1' }],
    [
      'uuid-record.events.jsonl',
      'RECORD_START',
      {
        type: 'RecordingStarted',
        file: '/tmp/rec/main-30a4f971-e58d-4146-994a-f74d1e46669d.wav',
        recorderId: '/tmp/rec/main-30a4f971-e58d-4146-994a-f74d1e46669d.wav',
      },
    ],
    [
      'uuid-record.events.jsonl',
      'RECORD_STOP',
      { type: 'RecordingStopped', file: '/tmp/rec/main-30a4f971-e58d-4146-994a-f74d1e46669d.wav' },
    ],
    ['uuid-record.events.jsonl', 'CHANNEL_HANGUP', { type: 'CallHungUp', cause: 'NORMAL_CLEARING' }],
    ['uuid-record.events.jsonl', 'CHANNEL_DESTROY', { type: 'CallGone' }],
    [
      'record-session-dialplan.events.jsonl',
      'RECORD_START',
      { type: 'RecordingStarted', file: '/tmp/rec/dialplan-2fad0040-a9e1-46e1-ac28-3c390826a655.wav' },
    ],
    [
      'disconnect-during-recording.events.jsonl',
      'RECORD_STOP',
      { type: 'RecordingStopped', file: '/tmp/rec/disco-sigkill-96deb479-df7d-4231-9d73-cf30c5a6bd97.wav' },
    ],
  ])('%s %s', (file, name, expected) => {
    const raw = find(file, name);
    const ev = toPbxEvent(raw);
    expect(ev).toMatchObject({ ...expected, callId: raw['Unique-ID'] });
    expect(ev?.at.getTime()).toBe(Math.floor(Number(raw['Event-Date-Timestamp']) / 1000));
  });

  it('reads duration and size from RECORD_STOP, not from the file', () => {
    expect(recordStopFacts(find('disconnect-during-recording.events.jsonl', 'RECORD_STOP'))).toMatchObject({
      ms: 11860,
      cause: 'success-silence',
    });
    const manual = recordStopFacts(find('uuid-record.events.jsonl', 'RECORD_STOP'));
    expect(manual).toMatchObject({ ms: 9340, cause: 'success-maxtime' });
    expect(manual.bytes).toBeGreaterThan(44);
  });

  it('ignores what modesl adds and the lifecycle noise, without reporting it', () => {
    const drops: string[] = [];
    for (const name of [
      'BACKGROUND_JOB',
      'CHANNEL_EXECUTE_COMPLETE',
      'CHANNEL_CREATE',
      'CHANNEL_PARK',
      'PLAYBACK_START',
    ]) {
      expect(toPbxEvent(find('uuid-record.events.jsonl', name), (p) => drops.push(p))).toBeNull();
    }
    expect(drops).toEqual([]);
  });

  it.each([
    [{ 'Unique-ID': 'u' }, 'event without Event-Name'],
    [{ 'Event-Name': 'DTMF' }, 'DTMF without Unique-ID'],
    [{ 'Event-Name': 'DTMF', 'Unique-ID': 'u', 'DTMF-Digit': '12' }, 'DTMF with digit "12"'],
    [{ 'Event-Name': 'RECORD_START', 'Unique-ID': 'u' }, 'RECORD_START without Record-File-Path'],
    [
      { 'Event-Name': 'CUSTOM', 'Unique-ID': 'u', 'Event-Subclass': 'sofia::register' },
      'unexpected CUSTOM sofia::register',
    ],
    [
      { 'Event-Name': 'CUSTOM', 'Unique-ID': 'u', 'Event-Subclass': 'callrec::feature', callrec_feature: 'jump' },
      'feature code with action "jump"',
    ],
    [{ 'Event-Name': 'CODEC', 'Unique-ID': 'u' }, 'unexpected event CODEC'],
  ])('drops and reports %j', (raw, problem) => {
    const drops: string[] = [];
    expect(toPbxEvent(raw, (p) => drops.push(p))).toBeNull();
    expect(drops).toEqual([problem]);
  });

  it('maps the feature-code event to FeatureRequested', () => {
    const ev = toPbxEvent({
      'Event-Name': 'CUSTOM',
      'Event-Subclass': 'callrec::feature',
      'Unique-ID': 'u1',
      callrec_feature: 'pause',
      'Caller-Caller-ID-Number': '1001',
    });
    expect(ev).toMatchObject({ type: 'FeatureRequested', action: 'pause', by: '1001', callId: 'u1' });
  });
});

describe('CHANNEL_DATA from the outbound-socket wire', () => {
  const [data] = new FrameParser().push(Buffer.from(fsFixtureText('outbound-socket.controller-wire.txt')));

  it('parses the connect reply as URL-decoded headers', () => {
    expect(data?.headers['Event-Name']).toBe('CHANNEL_DATA');
    expect(data?.headers['Reply-Text']).toBe('+OK\n');
    expect(data?.headers['Caller-Caller-ID-Number']).toBe('+14155550100');
  });

  it('gives the gate facts, and a problem when the snippet variables are missing', () => {
    const { facts, problem } = gateFacts(data?.headers ?? {}, { language: 'en' });
    expect(facts).toMatchObject({
      from: '+14155550100',
      to: '3000',
      direction: 'inbound',
      answered: false,
      language: 'en',
    });
    expect(problem).toMatch(/callrec_flow/);
    const withVars = gateFacts(
      {
        ...data?.headers,
        variable_callrec_flow: 'sales',
        variable_callrec_applet: 'queue',
        variable_callrec_language: 'fr',
      },
      { language: 'en' },
    );
    expect(withVars).toMatchObject({ problem: null, facts: { flow: 'sales', applet: 'queue', language: 'fr' } });
  });

  it('keeps a malformed percent-escape as raw text instead of throwing', () => {
    expect(parseHead('X-Bad: 100%zz\nX-Ok: a%20b').headers).toEqual({ 'X-Bad': '100%zz', 'X-Ok': 'a b' });
  });
});

describe('adoption answers (shapes from mod_commands.c / switch_core_media_bug.c, 1.10.12)', () => {
  it('reads record_session bugs only, channels from show channels as json, and the stored id', () => {
    const xml =
      '<media-bugs>\n <media-bug>\n  <function>displace</function>\n  <target>/x.wav</target>\n  <thread-locked>0</thread-locked>\n </media-bug>\n' +
      ' <media-bug>\n  <function>session_record</function>\n  <target>/rec/a.wav</target>\n  <thread-locked>0</thread-locked>\n </media-bug>\n</media-bugs>\n';
    expect(parseRecordingBugs(xml)).toEqual(['/rec/a.wav']);
    expect(parseRecordingBugs('<media-bugs>\n</media-bugs>\n')).toEqual([]);
    expect(parseChannels('{"row_count":0}')).toEqual([]);
    expect(parseChannels('{"row_count":1,"rows":[{"uuid":"u1","name":"loopback/1-a"}]}')).toEqual([
      { uuid: 'u1', name: 'loopback/1-a' },
    ]);
    expect(parseChannels('-ERR no reply')).toBeNull();
    expect(parseStoredId('42')).toBe(42);
    expect(parseStoredId('_undef_')).toBeNull();
    expect(parseStoredId('-ERR No such channel!')).toBeNull();
  });
});
