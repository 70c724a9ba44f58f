// The gate asks the policy within a bound; an engine already loaded is used at once (issue 23).
import { decideWithin } from '../../controller/src/calls/decide';
import type { GateFacts } from '../../controller/src/domain/pbx-events';
import type { CallFacts, Decision, PolicyEngine } from '../../controller/src/policy/types';

const FACTS: GateFacts = {
  flow: 'sales',
  applet: 'dial',
  direction: 'inbound',
  from: '+13105550100',
  to: '+12125550102',
  campaign: null,
  agent: null,
  language: null,
  answered: false,
};

function engine(decide: (f: CallFacts) => Decision): PolicyEngine {
  return { decide, user: () => null, party: () => ({}) } as unknown as PolicyEngine;
}
const decision = { record: 'from-answer', consent: 'none' } as unknown as Decision;

describe('decideWithin', () => {
  afterEach(() => jest.useRealTimers());

  it('decides with the ready engine without asking the provider or arming a timer', async () => {
    jest.useFakeTimers();
    const provider = jest.fn(() => Promise.reject(new Error('not asked')));
    const seen: CallFacts[] = [];
    const ready = engine((f) => {
      seen.push(f);
      return decision;
    });
    const r = await decideWithin(provider, FACTS, 'asterisk', 2000, () => ready);
    expect(r).toEqual({ decision, reason: null });
    expect(provider).not.toHaveBeenCalled();
    expect(jest.getTimerCount()).toBe(0);
    expect(seen[0]).toMatchObject({ pbx: 'asterisk', flow: 'sales', from: '+13105550100' });
  });

  it('waits for the provider when no engine is ready, within the bound', async () => {
    const r = await decideWithin(
      () => Promise.resolve(engine(() => decision)),
      FACTS,
      'asterisk',
      2000,
      () => null,
    );
    expect(r.decision).toBe(decision);
    const late = await decideWithin(() => new Promise<PolicyEngine>(() => undefined), FACTS, 'asterisk', 20);
    expect(late).toEqual({ decision: null, reason: 'policy unavailable: policy not ready within 20 ms' });
  });

  it('turns a ready engine that throws into the fallback with the reason', async () => {
    const broken = engine(() => {
      throw new Error('rule cache corrupt');
    });
    const r = await decideWithin(
      () => Promise.reject(new Error('x')),
      FACTS,
      'asterisk',
      2000,
      () => broken,
    );
    expect(r).toEqual({ decision: null, reason: 'policy unavailable: rule cache corrupt' });
  });
});
