import { resolveParty } from '../../controller/src/calls/party-lookup';

describe('resolveParty', () => {
  it('announces to be safe when the rules cannot be read, and applies no mode', async () => {
    const ev = await resolveParty(() => Promise.reject(new Error('database down')), {
      type: 'ResolveParty',
      callId: 'c1',
      party: '4155550100',
      asUser: true,
    });
    expect(ev).toMatchObject({
      type: 'PartyResolved',
      user: null,
      requires: { consent: 'announce', why: 'the rules could not be read (database down): announced to be safe' },
    });
  });
});
