// ARI's event timestamps, read field by field on the gate's path: the same instant the text parse
// gave, any offset; anything else read as a date where it can be, else now.
import { ariTime } from '../../controller/src/pbx/asterisk/ari-time';

const parsed = (v: string): number => new Date(v.replace(/([+-]\d\d)(\d\d)$/, '$1:$2')).getTime();

describe('ARI timestamps', () => {
  it.each([
    '2026-11-22T21:51:27.833+0000',
    '2026-11-22T21:51:27.833-0530',
    '2026-11-22T00:01:00.001+1400',
    '2026-01-01T00:00:00.000+0100',
    '2024-02-29T23:59:59.999-1200',
    '0042-03-01T00:00:00.000+0000',
  ])('%s', (v) => {
    expect(ariTime(v).getTime()).toBe(parsed(v));
  });

  it('reads another date format the slow way', () => {
    expect(ariTime('2026-11-22T21:51:27Z').toISOString()).toBe('2026-11-22T21:51:27.000Z');
  });

  it('takes now for text that is no date, a month 13, an offset of 99 minutes or 15 hours, or no text', () => {
    for (const v of [
      'garbage',
      '2026-13-01T00:00:00.000+0000',
      '2026-11-22T21:51:27.833+0099',
      '2026-11-22T21:51:27.833-1500',
      42,
      undefined,
    ]) {
      const before = Date.now();
      expect(ariTime(v).getTime()).toBeGreaterThanOrEqual(before);
    }
  });
});
