// The registry's work outside any call's queue (adoptions, the reconciliation after a reconnect,
// party lookups): kept so that shutdown and tests can wait for it; a failure is reported, never thrown.
export class BackgroundWork {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly onError: (message: string) => void) {}

  add(p: Promise<unknown>): void {
    const done = p.then(
      () => undefined,
      (e: unknown) => this.onError((e as Error).message),
    );
    this.running.add(done);
    void done.finally(() => this.running.delete(done));
  }

  get size(): number {
    return this.running.size;
  }

  /** The work running now, each ended (it never rejects). */
  now(): Array<Promise<void>> {
    return [...this.running];
  }
}

/** Waits until every promise `now()` lists has ended and a fresh look lists none it had not. */
export async function drain(now: () => ReadonlyArray<Promise<unknown>>): Promise<void> {
  for (let seen: ReadonlyArray<Promise<unknown>> = []; ;) {
    const all = now();
    if (all.every((p) => seen.includes(p))) return;
    seen = all;
    await Promise.allSettled(all);
  }
}
