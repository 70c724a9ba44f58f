import fs from 'node:fs';
import path from 'node:path';
import { FeatureCodes, FeatureWatch, INTER_DIGIT_MS } from '../../controller/src/pbx/freeswitch/feature-codes';

// Captured from FreeSWITCH 1.10.12 (this repo's test/fixtures): a caller loopback/c-b bridged to an
// agent leg loopback/a-a; *48 received on the caller's channel, then *49 on the agent's. The digits
// also show up on the far ends of the loopbacks (a-b, c-a), which are no party of the recorded call.
const CALLER = '671e28cd-a31c-4a67-b068-c4be3ca8b39b';
const AGENT = '8c63714b-2420-4b2d-b0ce-0669d625f623';
const events = fs
  .readFileSync(path.join(__dirname, '../fixtures/freeswitch-1.10.12-feature-codes.events.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as Record<string, string>);

describe('feature codes from DTMF events', () => {
  it('finds *48 and *49 of either party on the recorded call, once each, the presser named', () => {
    const watch = new FeatureWatch();
    watch.know(CALLER);
    const presses = events.map((e) => watch.observe(e)).filter((p) => p !== null);
    expect(presses).toEqual([
      { callId: CALLER, action: 'pause', presser: CALLER, by: 'loopback/c-b' },
      { callId: CALLER, action: 'resume', presser: AGENT, by: 'loopback/a-a' },
    ]);
  });

  it('ignores codes on calls callrec does not follow', () => {
    const watch = new FeatureWatch();
    expect(events.map((e) => watch.observe(e)).filter((p) => p !== null)).toEqual([]);
  });

  it('needs the digits of one code close together, and starts again at *', () => {
    const c = new FeatureCodes();
    expect([c.push('x', '*', 0), c.push('x', '4', 100), c.push('x', '4', 200)]).toEqual([null, null, 'start']);
    expect([c.push('x', '*', 1000), c.push('x', '4', 1000 + INTER_DIGIT_MS + 1), c.push('x', '8', 4000)]).toEqual([
      null,
      null,
      null,
    ]);
    expect([
      c.push('x', '1', 5000),
      c.push('x', '*', 5100),
      c.push('x', '*', 5200),
      c.push('x', '4', 5300),
      c.push('x', '9', 5400),
    ]).toEqual([null, null, null, null, 'resume']);
  });
});
