// The continue the gate writes before a call's session exists (calls/gate-entry.ts) must be the
// release that session gives: recordingRelease and onDecided agree for every decision.
import { CallSession } from '../../controller/src/domain/call-session';
import type { Command } from '../../controller/src/domain/commands';
import { recordingRelease } from '../../controller/src/domain/gate-plan';
import type { ConsentMode, RecordMode } from '../../controller/src/domain/records';
import type { GateDecision } from '../../controller/src/domain/session-types';
import { gateDecision, gateFacts, SESSION_SETTINGS } from '../helpers/gate-decision';

const FILE = { pbxPath: '/var/spool/asterisk/monitor/callrec/2026/11/25/x.wav', relPath: '2026/11/25/x.wav' };
const GREETING = { prompt: 'announce', sound: 'callrec/announce', language: 'en' };

/** The SetDecision of a fresh session's answer, when that answer lets the call go before anything reaches the caller. */
function sessionRelease(d: GateDecision): Extract<Command, { type: 'SetDecision' }> | null {
  const s = new CallSession('c1', gateFacts(), SESSION_SETTINGS);
  const cmds = s.handle({
    type: 'Decided',
    callId: 'c1',
    at: new Date(),
    decision: d,
    reason: null,
    file: FILE,
    immediate: false,
    swept: false,
  });
  const go = cmds.findIndex((c) => c.type === 'Continue');
  if (go < 0) return null;
  const before = cmds.slice(0, go);
  if (before.some((c) => c.type === 'Play' || c.type === 'Answer')) return null;
  const set = before.find((c) => c.type === 'SetDecision');
  return set?.type === 'SetDecision' && set.record ? set : null;
}

describe('recordingRelease', () => {
  const records: RecordMode[] = ['off', 'from-ringing', 'from-answer', 'on-demand'];
  const consents: ConsentMode[] = ['none', 'announce', 'opt-in', 'opt-out'];
  const cases = records.flatMap((record) =>
    consents.flatMap((consent) =>
      [null, GREETING].flatMap((greeting) =>
        [false, true].flatMap((beep) =>
          [false, true].map((stereo) => gateDecision({ record, consent, greeting, beep, stereo })),
        ),
      ),
    ),
  );

  it('is the release a new session gives, for each of the 128 decision shapes', () => {
    expect(cases).toHaveLength(128);
    let atOnce = 0;
    for (const d of cases) {
      const rec = recordingRelease(d, FILE);
      const set = sessionRelease(d);
      expect({ d, rec: rec && { ...rec } }).toEqual({
        d,
        rec: set && { record: set.record, file: set.file, recorder: set.recorder },
      });
      if (rec) atOnce++;
    }
    // Recorded from ringing or answer with no prompt: 2 record modes x (consent none with or
    // without a greeting, or another consent without one) x beep x stereo.
    expect(atOnce).toBe(2 * (2 + 3) * 4);
  });

  it('asks nothing of a decision with a prompt to play, or one that does not record at the gate', () => {
    expect(recordingRelease(gateDecision({ consent: 'announce', greeting: GREETING }), FILE)).toBeNull();
    expect(recordingRelease(gateDecision({ consent: 'opt-in', greeting: GREETING }), FILE)).toBeNull();
    expect(recordingRelease(gateDecision({ record: 'on-demand', consent: 'none', greeting: null }), FILE)).toBeNull();
    expect(recordingRelease(gateDecision({ record: 'off', consent: 'none', greeting: null }), FILE)).toBeNull();
    expect(
      recordingRelease(gateDecision({ record: 'from-answer', consent: 'none', greeting: null, beep: true }), FILE),
    ).toEqual({
      record: true,
      file: FILE.pbxPath,
      recorder: { fromAnswer: true, beepEverySeconds: 15, stereo: false },
    });
  });
});
