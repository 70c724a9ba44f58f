// The gate decision most tests start from: record from the answer after an announcement, pause
// allowed, standard tier; a test names only what it changes.
import type { GateDecision } from '../../controller/src/domain/session-types';

export const gateDecision = (over: Partial<GateDecision> = {}): GateDecision => ({
  record: 'from-answer',
  consent: 'announce',
  greeting: { prompt: 'announce', sound: 'callrec/announce', language: 'en' },
  pauseAllowed: true,
  beep: false,
  stereo: false,
  tier: 'standard',
  ...over,
});
