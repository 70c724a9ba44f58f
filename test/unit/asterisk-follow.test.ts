// The events websocket follows every channel (subscribeAll); only the channels callrec follows
// reach the registry (issue 23: no per-call subscription on the gate's path).
import { FollowedChannels } from '../../controller/src/pbx/asterisk/follow';

const ch = (id: string, dialplan?: object) => ({ id, name: `PJSIP/${id}`, dialplan });

describe('the channels the Asterisk adapter follows', () => {
  it('takes a call entering our application, and none entering another', () => {
    const f = new FollowedChannels('callrec');
    const start = (app: string) => ({
      type: 'StasisStart',
      channel: ch('a', { app_name: 'Stasis', app_data: `${app},gate,sales` }),
    });
    expect(f.wants(start('callrec'))).toBe(true);
    expect(f.wants(start('ivr'))).toBe(false);
    expect(f.wants({ type: 'StasisStart', channel: ch('snoop') })).toBe(true);
  });

  it("drops other channels' events, keeps a followed channel's until it is unfollowed", () => {
    const f = new FollowedChannels('callrec');
    const varset = (id: string) => ({ type: 'ChannelVarset', variable: 'X', value: '1', channel: ch(id) });
    expect(f.wants(varset('a'))).toBe(false);
    f.follow('a');
    expect(f.wants(varset('a'))).toBe(true);
    expect(f.wants(varset('b'))).toBe(false);
    expect(f.wants({ type: 'ChannelVarset', variable: 'GLOBAL', value: '1' })).toBe(true); // no channel: read on
    f.unfollow('a');
    expect(f.wants(varset('a'))).toBe(false);
  });

  it('keeps a Dial, a transfer or a playback that names a followed channel', () => {
    const f = new FollowedChannels('callrec');
    f.follow('caller');
    expect(f.wants({ type: 'Dial', caller: ch('caller'), peer: ch('agent') })).toBe(true);
    expect(f.wants({ type: 'Dial', caller: ch('x'), peer: ch('y') })).toBe(false);
    expect(f.wants({ type: 'BridgeBlindTransfer', channel: ch('agent'), transferee: ch('caller') })).toBe(true);
    expect(f.wants({ type: 'BridgeBlindTransfer', channel: ch('x'), transferee: ch('y') })).toBe(false);
    expect(f.wants({ type: 'PlaybackFinished', playback: { id: 'p', target_uri: 'channel:caller' } })).toBe(true);
    expect(f.wants({ type: 'PlaybackFinished', playback: { id: 'p', target_uri: 'channel:other' } })).toBe(false);
  });

  it('forgets, at a reconnect, channels followed before the list and missing from it', async () => {
    const f = new FollowedChannels('callrec');
    f.follow('gone');
    f.follow('alive');
    const askedAt = performance.now();
    await new Promise((r) => setTimeout(r, 2));
    f.follow('new'); // followed after the list was asked for: not on it, yet alive
    expect(f.prune(new Set(['alive']), askedAt)).toEqual(['gone']);
    expect([f.has('gone'), f.has('alive'), f.has('new')]).toEqual([false, true, true]);
  });
});

describe('frames dropped before they are parsed', () => {
  const f = new FollowedChannels('callrec');
  f.follow('1795511290.1');
  // As Asterisk 22.10.1 writes them: compact, "type" after the variable and its value.
  const varset = (id: string, value = 'x') =>
    JSON.stringify({ variable: 'FOO', value, type: 'ChannelVarset', timestamp: 't', channel: { id, name: 'PJSIP/1' } });

  it("drops a channel event of a channel nobody follows, keeps a followed one's", () => {
    expect(f.skips(varset('1795511290.9'))).toBe(true);
    expect(f.skips(varset('1795511290.1'))).toBe(false);
  });

  it('parses what it cannot be sure of: gate entries, user events, snoop channels, other shapes', () => {
    expect(f.skips(JSON.stringify({ type: 'StasisStart', channel: { id: 'other' } }))).toBe(false);
    expect(f.skips(JSON.stringify({ type: 'ChannelUserevent', channel: { id: 'other' } }))).toBe(false);
    expect(f.skips(JSON.stringify({ type: 'ChannelDestroyed', channel: { id: 'callrec-snoop-p1' } }))).toBe(false);
    expect(f.skips(JSON.stringify({ type: 'Dial', caller: { id: 'other' }, peer: { id: 'x' } }))).toBe(false);
    expect(f.skips(JSON.stringify({ type: 'ChannelVarset', channel: { name: 'n', id: 'other' } }))).toBe(false);
  });

  it('is not fooled by a value that spells keys', () => {
    // A followed call's variable whose value mimics another channel's event: the quotes are escaped.
    const tricky = varset('1795511290.1', '","type":"ChannelVarset","channel":{"id":"1795511290.9"');
    expect(f.skips(tricky)).toBe(false);
  });
});
