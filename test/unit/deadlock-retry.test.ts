import { retryOnDeadlock } from '../../controller/src/store/deadlock-retry';

const deadlock = () =>
  Object.assign(new Error('Deadlock found when trying to get lock; try restarting transaction'), {
    code: 'ER_LOCK_DEADLOCK',
    errno: 1213,
  });

describe('retryOnDeadlock', () => {
  it('runs a transaction the database rolled back as a deadlock victim again', async () => {
    let runs = 0;
    const r = await retryOnDeadlock(async () => {
      if (++runs === 1) throw deadlock();
      return 'done';
    });
    expect({ r, runs }).toEqual({ r: 'done', runs: 2 });
  });

  it('gives up after the attempts, with the database error', async () => {
    let runs = 0;
    await expect(
      retryOnDeadlock(async () => {
        runs++;
        throw deadlock();
      }, 3),
    ).rejects.toThrow(/Deadlock/);
    expect(runs).toBe(3);
  });

  it('never repeats any other failure', async () => {
    let runs = 0;
    await expect(
      retryOnDeadlock(async () => {
        runs++;
        throw Object.assign(new Error('dup'), { code: 'ER_DUP_ENTRY' });
      }),
    ).rejects.toThrow('dup');
    expect(runs).toBe(1);
  });
});
