import fs from 'node:fs';
import path from 'node:path';
import { hasOneShotVars } from '../../controller/src/pbx/asterisk/api-docs';

const served = JSON.parse(
  fs.readFileSync(path.join(__dirname, '../fixtures/asterisk-22/served-api-docs/channels.json'), 'utf8'),
) as { apis: Array<{ path: string; operations: Array<{ httpMethod: string }> }> };

describe('hasOneShotVars', () => {
  it('finds POST /channels/{channelId}/variables in the channels document Asterisk 22.10 serves', () => {
    expect(hasOneShotVars(served)).toBe(true);
  });

  it('is false for an older ARI without it, with only GET, or for a document of another shape', () => {
    const without = { ...served, apis: served.apis.filter((a) => a.path !== '/channels/{channelId}/variables') };
    const getOnly = {
      apis: [{ path: '/channels/{channelId}/variables', operations: [{ httpMethod: 'GET' }] }],
    };
    expect(hasOneShotVars(without)).toBe(false);
    expect(hasOneShotVars(getOnly)).toBe(false);
    expect(hasOneShotVars(null)).toBe(false);
    expect(hasOneShotVars({ apis: 'x' })).toBe(false);
  });
});
