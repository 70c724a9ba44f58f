// InnoDB resolves a deadlock by rolling one transaction back whole (ER_LOCK_DEADLOCK, 1213): the
// loser may simply run again, re-reading what it locks. Seen when two purges race for one batch.
const DEADLOCK = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT']);

export function isDeadlock(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && DEADLOCK.has(code);
}

/** Runs a whole transaction again (up to `attempts` times in all) when the database chose it as a deadlock victim. */
export async function retryOnDeadlock<T>(run: () => Promise<T>, attempts = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await run();
    } catch (e) {
      if (i >= attempts || !isDeadlock(e)) throw e;
      await new Promise((r) => setTimeout(r, 5 * i + Math.random() * 10));
    }
  }
}
