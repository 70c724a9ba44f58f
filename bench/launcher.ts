// How `callrec start` runs, for the benches that measure the controller: the environment and node
// flags of bin/callrec.js's first line (glibc's allocator settings, V8's young generation), and
// the heap tuning `callrec start` does in its own process (cli/start.ts).
import fs from 'node:fs';
import { tuneProcess } from '../controller/src/cli/compaction';

/** What `callrec` runs with (its first line): the environment it sets and node's flags. */
export function shipped(): { env: Record<string, string>; flags: string[] } {
  const line = fs.readFileSync('bin/callrec.js', 'utf8').split('\n')[0] ?? '';
  const words = line.replace(/^#!\/usr\/bin\/env -S\s*/, '').split(/\s+/);
  const node = words.indexOf('node');
  if (node < 0) throw new Error(`bin/callrec.js's first line runs no node: ${line}`);
  const env = Object.fromEntries(
    words.slice(0, node).map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)]),
  );
  return { env, flags: words.slice(node + 1).filter(Boolean) };
}

/** In the controller's process, before it starts: what `callrec start` tunes; returns its stop. */
export function tuneAsStart(): () => void {
  return tuneProcess(process.execArgv, process.env.NODE_OPTIONS);
}
