// A periodic beep on FreeSWITCH, which record_session cannot do (1.10.12 has no such option): a
// tone_stream looping forever (loops=-1), mixed into the call by displace_session / uuid_displace
// (flag m), once per direction so that both parties hear it, as with Asterisk's periodic beep:
// - into what the recorded channel says (flag r): the other party hears it, and the recorder gets it
//   on time whatever the parties do (every read-replace bug runs before any read-stream one, and
//   the channel is read every 20 ms, silence or not);
// - into what the channel hears (write direction): its own party hears it. That tone advances only
//   while audio is written to the channel (a far end that sends none, a loopback leg or a phone
//   suppressing silence, holds it), so it is added after the recorder's bug, which then does not
//   take it: the file's beeps stay exactly N s apart.
// Measured on 1.10.12 (docs/freeswitch.md). The switch keys a channel's displace bugs by path: the
// second path restates the default channel count (c=1) to differ from the first, same tone.
// The tone is Asterisk's beep as heard: 700 Hz for 0.4 s, about its level (-13 dB).

const TONE_MS = 400;
const FREQUENCY_HZ = 700;
const VOLUME_DB = -13;
const TONE_PREFIX = 'tone_stream://';

export interface BeepTone {
  /** The displace path; also the media bug's target in uuid_buglist. */
  path: string;
  /** displace flags: m mixes the tone in (write direction by default), r on the read direction. */
  flags: 'm' | 'mr';
}

/**
 * The two displaced tones of a beep every `seconds` (a whole number, at least 1: recorder-spec.ts),
 * to start after the recorder (see above).
 */
export function beepTones(seconds: number): BeepTone[] {
  const script = (extra: string) =>
    `${TONE_PREFIX}v=${VOLUME_DB};${extra}%(${TONE_MS},${seconds * 1000 - TONE_MS},${FREQUENCY_HZ});loops=-1`;
  return [
    { path: script(''), flags: 'm' },
    { path: script('c=1;'), flags: 'mr' },
  ];
}

/** A displace target (uuid_buglist) that is one of callrec's beeps, whatever its period. */
export function isBeepTone(target: string): boolean {
  return new RegExp(`^${TONE_PREFIX}v=${VOLUME_DB};(c=1;)?%\\(${TONE_MS},\\d+,${FREQUENCY_HZ}\\);loops=-1$`).test(
    target,
  );
}
