import { userAtAnswer, type CallAtAnswer, type UserRule } from '../../controller/src/domain/user-mode';

const user = (over: Partial<UserRule> = {}): UserRule => ({
  id: '202',
  name: 'Ben',
  mode: 'always',
  pause: null,
  tier: null,
  ...over,
});
const call = (over: Partial<CallAtAnswer> = {}): CallAtAnswer => ({
  record: 'on-demand',
  consent: 'none',
  recording: false,
  consentOutcome: 'not-required',
  tier: 'standard',
  ...over,
});

describe("userAtAnswer: what an answering user's mode does", () => {
  it.each([
    ['always', 'on-demand', false, 'start', false],
    ['always-with-pause', 'on-demand', false, 'start', true],
    ['on-demand', 'on-demand', false, 'wait', true],
    ['always', 'from-answer', true, 'keep', false],
    ['on-demand', 'from-answer', true, 'keep', true],
    ['always', 'off', false, 'none', false],
  ] as const)('mode %s on a %s call (recording: %s): %s, pause %s', (mode, record, recording, action, pause) => {
    const o = userAtAnswer(user({ mode }), call({ record, recording }));
    expect(o).toMatchObject({ action, pauseAllowed: pause, tier: 'standard' });
    expect(o.reasons[0]).toBe(`user "202" (Ben) has mode ${mode}`);
  });

  it.each(['declined', 'opted-out', 'timeout'] as const)('never records a caller whose answer was %s', (outcome) => {
    const o = userAtAnswer(user(), call({ consentOutcome: outcome }));
    expect(o.action).toBe('none');
    expect(o.reasons).toContain(`the caller did not consent (${outcome}): not recorded, whatever the mode`);
  });

  it('never starts where the gate gave up before the caller heard what it had to give', () => {
    const gaveUp = userAtAnswer(user(), call({ consent: 'announce', consentOutcome: 'fallback' }));
    expect(gaveUp.action).toBe('none');
    expect(gaveUp.reasons).toContain(
      'the caller did not get the announce the gate had to give: the mode does not start a recording',
    );
    // Nothing to give: a gate that gave up still had the caller's consent.
    expect(userAtAnswer(user(), call({ consent: 'none', consentOutcome: 'fallback' })).action).toBe('start');
    expect(userAtAnswer(user(), call({ consent: 'announce', consentOutcome: 'announced' })).action).toBe('start');
  });

  it('an explicit pause wins over the mode; a tier only ever lengthens', () => {
    expect(userAtAnswer(user({ pause: true }), call()).pauseAllowed).toBe(true);
    expect(userAtAnswer(user({ mode: 'on-demand', pause: false }), call()).pauseAllowed).toBe(false);
    expect(userAtAnswer(user({ tier: 'extended' }), call()).tier).toBe('extended');
    expect(userAtAnswer(user({ tier: 'standard' }), call({ tier: 'extended' })).tier).toBe('extended');
  });
});
