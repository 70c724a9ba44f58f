import { isAudioFile, parseRecordingName } from '../../controller/src/domain/disk-names';

describe('what a recording file name says', () => {
  it.each([
    [
      '20261123101500-2125550123-600-1763900000.42.wav',
      { at: '2026-11-23T10:15:00.000Z', from: '2125550123', to: '600', callId: '1763900000.42' },
    ],
    [
      '20261123101600-1000-unknown-3f2a9c1e-7b4d-4e8a-9f10-2c3d4e5f6a7b.wav',
      { at: '2026-11-23T10:16:00.000Z', from: '1000', to: null, callId: '3f2a9c1e-7b4d-4e8a-9f10-2c3d4e5f6a7b' },
    ],
    [
      '20261123101700-unknown-unknown-1763900001.7.wav',
      { at: '2026-11-23T10:17:00.000Z', from: null, to: null, callId: '1763900001.7' },
    ],
    // FreeSWITCH does not clean caller_id_number: a dash in it stays with `from`.
    [
      '20261123101800-555-0100-600-1763900002.9.wav',
      { at: '2026-11-23T10:18:00.000Z', from: '555-0100', to: '600', callId: '1763900002.9' },
    ],
    [
      '20261123101900-+4930123-+4940456-abc.WAV',
      { at: '2026-11-23T10:19:00.000Z', from: '+4930123', to: '+4940456', callId: 'abc' },
    ],
  ])('%s', (name, want) => {
    const got = parseRecordingName(name);
    expect(got && { at: got.startedAt.toISOString(), from: got.from, to: got.to, callId: got.callId }).toEqual(want);
  });

  it.each([
    'call 17.wav',
    '2026112310150-1-2-3.wav',
    '20261332101500-1-2-3.wav',
    '20261123101500-1-2.wav',
    '20261123101500-1-2-.wav',
  ])('%s is not a fallback name', (name) => {
    expect(parseRecordingName(name)).toBeNull();
  });

  it.each([
    ['a.wav', true],
    ['a.WAV', true],
    ['a.gsm', true],
    ['a.txt', false],
    ['a.wav.part', false],
  ])('%s is audio: %s', (name, audio) => {
    expect(isAudioFile(name)).toBe(audio);
  });
});
