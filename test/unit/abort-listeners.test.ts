// Long-lived abort signals must not collect a listener per reconnect or per poll (Node warns at 11:
// MaxListenersExceededWarning, seen after many restarts and in every run longer than 10 s).
import { getEventListeners } from 'node:events';
import { reconnectLoop } from '../../controller/src/pbx/reconnect-loop';
import { silentLogger } from '../../controller/src/util/logger';

describe('abort listeners', () => {
  it('the reconnect loop keeps at most one per signal however often it reconnects', async () => {
    const ac = new AbortController();
    let connects = 0;
    let most = 0;
    const loop = reconnectLoop(
      {
        name: 'test',
        logger: silentLogger(),
        baseMs: 1,
        capMs: 1,
        connect: async () => {
          most = Math.max(most, getEventListeners(ac.signal, 'abort').length);
          if (++connects >= 25) ac.abort();
          return { closed: Promise.resolve('dropped'), close: () => undefined };
        },
      },
      ac.signal,
    );
    await loop;
    expect(connects).toBe(25);
    expect(most).toBeLessThanOrEqual(1);
  });
});

describe('the reconnect loop when stopped', () => {
  it('closes the connection it holds, and one that finishes connecting after the stop', async () => {
    const closed: string[] = [];
    const held = new AbortController();
    const loop = reconnectLoop(
      {
        name: 'test',
        logger: silentLogger(),
        connect: async () => ({
          closed: new Promise<string>(() => undefined),
          close: (why) => {
            closed.push(`held:${why}`);
          },
        }),
      },
      held.signal,
    );
    await new Promise((r) => setTimeout(r, 10));
    held.abort();
    await loop;

    const late = new AbortController();
    const lateLoop = reconnectLoop(
      {
        name: 'test',
        logger: silentLogger(),
        connect: async () => {
          late.abort();
          return {
            closed: new Promise<string>(() => undefined),
            close: (why) => {
              closed.push(`late:${why}`);
            },
          };
        },
      },
      late.signal,
    );
    await lateLoop;
    expect(closed).toEqual(['held:stopping', 'late:stopping']);
  });
});
