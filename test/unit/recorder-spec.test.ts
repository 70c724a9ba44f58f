// The recorder spec the domain hands the adapters, and how each PBX spells it.
import { beepProblem, PLAIN_RECORDER, recorderSpec, sameRecorder } from '../../controller/src/domain/recorder-spec';
import { mixMonitorOptions } from '../../controller/src/pbx/asterisk/mixmonitor-options';
import { beepTones, isBeepTone } from '../../controller/src/pbx/freeswitch/beep';

describe('recorder spec', () => {
  it.each([
    [
      { record: 'from-answer', beep: false, stereo: false },
      { fromAnswer: true, beepEverySeconds: null, stereo: false },
    ],
    [
      { record: 'from-ringing', beep: true, stereo: true },
      { fromAnswer: false, beepEverySeconds: 15, stereo: true },
    ],
    [
      { record: 'on-demand', beep: true, stereo: false },
      { fromAnswer: false, beepEverySeconds: 15, stereo: false },
    ],
  ] as const)('%j records as %j', (decision, spec) => {
    expect(recorderSpec(decision)).toEqual(spec);
  });

  it('tells two recorders apart by any field of the spec', () => {
    const spec = recorderSpec({ record: 'from-answer', beep: true, stereo: true });
    expect(sameRecorder(spec, { ...spec })).toBe(true);
    expect(sameRecorder(undefined, null)).toBe(true);
    expect(sameRecorder(spec, undefined)).toBe(false);
    for (const k of Object.keys(PLAIN_RECORDER)) expect(sameRecorder(spec, { ...spec, [k]: 'other' })).toBe(false);
    expect(Object.keys(PLAIN_RECORDER).sort()).toEqual(Object.keys(spec).sort());
  });

  it('takes whole periods from one second up', () => {
    expect(beepProblem(PLAIN_RECORDER)).toBeNull();
    expect(beepProblem({ ...PLAIN_RECORDER, beepEverySeconds: 1 })).toBeNull();
    for (const n of [0, -15, 2.5, Number.NaN])
      expect(beepProblem({ ...PLAIN_RECORDER, beepEverySeconds: n })).toMatch(/whole number of seconds/);
  });
});

describe('on Asterisk: MixMonitor options', () => {
  it.each([
    [null, ''],
    [PLAIN_RECORDER, ''],
    [{ fromAnswer: true, beepEverySeconds: null, stereo: false }, 'b'],
    [{ fromAnswer: true, beepEverySeconds: 15, stereo: true }, 'bB(15)D'],
    [{ fromAnswer: false, beepEverySeconds: 4, stereo: false }, 'B(4)'],
  ])('%j -> %j', (spec, options) => {
    expect(mixMonitorOptions(spec)).toEqual({ ok: true, value: options });
  });

  it('refuses a period MixMonitor cannot keep', () => {
    expect(mixMonitorOptions({ ...PLAIN_RECORDER, beepEverySeconds: 0 })).toMatchObject({
      ok: false,
      error: { kind: 'rejected' },
    });
  });
});

describe('on FreeSWITCH: the beep as displaced tones', () => {
  it('mixes the same 0.4 s tone every N s both ways, under two paths (the switch keys displace bugs by path)', () => {
    expect(beepTones(15)).toEqual([
      { path: 'tone_stream://v=-13;%(400,14600,700);loops=-1', flags: 'm' },
      { path: 'tone_stream://v=-13;c=1;%(400,14600,700);loops=-1', flags: 'mr' },
    ]);
    expect(beepTones(1).map((t) => t.path)).toEqual([
      'tone_stream://v=-13;%(400,600,700);loops=-1',
      'tone_stream://v=-13;c=1;%(400,600,700);loops=-1',
    ]);
  });

  it('knows its own tones in uuid_buglist, and only those', () => {
    for (const t of [...beepTones(15), ...beepTones(4)]) expect(isBeepTone(t.path)).toBe(true);
    for (const other of [
      'tone_stream://%(250,14750,1000);loops=-1',
      'tone_stream://v=-13;%(400,14600,700)',
      '/tmp/music.wav',
      'tone_stream://v=-13;%(400,14600,700);loops=-1;x',
    ]) {
      expect(isBeepTone(other)).toBe(false);
    }
  });
});
