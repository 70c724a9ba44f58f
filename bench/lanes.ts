// A bench lane in its own process, as the controller and a floor client each are in production:
// one lane's leftover work (callrec's trailing writes, its garbage, a watcher's parsing) is then
// not paid by another lane's calls on a shared event loop. The parent forks this same file with
// `--lane <name>`; the child answers one request at a time over IPC.
import { fork } from 'node:child_process';
import { shipped } from './launcher';

export interface LaneProcess {
  /** Sends one request and resolves with the lane's answer. */
  ask<T>(message: Record<string, unknown>): Promise<T>;
  /** Asks the lane to close; resolves with its last answer once its process has ended. */
  close<T>(): Promise<T>;
}

/** The lane this process runs, when the parent forked it; null in the parent. */
export function laneOf(argv = process.argv): string | null {
  const at = argv.indexOf('--lane');
  return at > 0 ? (argv[at + 1] ?? null) : null;
}

/**
 * Forks this bench's own file as lane `name` (`env` added to its environment); resolves once it is
 * ready. `asCallrec`: with the environment and node flags `callrec` itself runs with (launcher.ts).
 */
export async function forkLane(
  name: string,
  env: Record<string, string> = {},
  asCallrec = false,
): Promise<LaneProcess> {
  const launcher = asCallrec ? shipped() : { env: {}, flags: [] };
  const child = fork(process.argv[1] ?? '', ['--lane', name], {
    execArgv: [...process.execArgv, ...launcher.flags],
    env: { ...process.env, ...launcher.env, ...env },
  });
  const next = <T>() =>
    new Promise<T>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`lane ${name}: its process ended (${code})`));
      child.once('exit', onExit);
      child.once('message', (m) => {
        child.off('exit', onExit);
        resolve(m as T);
      });
    });
  await next();
  return {
    ask: <T>(message: Record<string, unknown>) => {
      const answer = next<T>();
      child.send(message);
      return answer;
    },
    close: async <T>() => {
      const ended = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      const answer = next<T>();
      child.send({ close: true });
      const last = await answer;
      await ended;
      return last;
    },
  };
}

/**
 * The child's side: `start` builds the lane, then each request goes to `serve` and its answer
 * back; `{ close: true }` goes to `close`, whose answer is the last before the process ends.
 */
export async function serveLane<L>(
  start: () => Promise<L>,
  serve: (lane: L, message: Record<string, unknown>) => Promise<unknown>,
  close: (lane: L) => Promise<unknown>,
): Promise<void> {
  const lane = await start();
  const fail = (x: unknown) => {
    console.error(x);
    process.exit(1);
  };
  process.on('message', (m: Record<string, unknown>) => {
    if (m.close) return void close(lane).then((last) => process.send?.(last ?? null, () => process.exit(0)), fail);
    void serve(lane, m).then((r) => process.send?.(r ?? null), fail);
  });
  process.on('disconnect', () => process.exit(1)); // the parent ended: so does the lane
  process.send?.('ready');
}
