'use strict';
// Loaded into the controller by bench/soak.ts (node --require): once a second, appends the
// process's own RSS, heap and event-loop delay to $CALLREC_SOAK_PROBE as one JSON line. On
// SIGUSR2 it writes a heap snapshot next to that file. Plain JS: the controller runs compiled.
const fs = require('node:fs');
const path = require('node:path');
const v8 = require('node:v8');
const { monitorEventLoopDelay } = require('node:perf_hooks');

const out = process.env.CALLREC_SOAK_PROBE;
if (out) {
  // Each sample is the time between two ticks of a `RESOLUTION` ms timer (idle node: min 10.07 ms,
  // p99 12 ms at 10 ms), so the delay a callback waits is the sample less the resolution.
  const RESOLUTION = 10;
  const eld = monitorEventLoopDelay({ resolution: RESOLUTION });
  const late = (ns) => Math.max(0, ns / 1e6 - RESOLUTION);
  eld.enable();
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    const line = {
      at: Date.now(),
      rss: m.rss,
      heapUsed: m.heapUsed,
      heapTotal: m.heapTotal,
      external: m.external,
      eldP99: late(eld.percentile(99)),
      eldMax: late(eld.max),
      // [percentile, delay ms] pairs, so the bench can merge seconds into one run's p99.
      eldPct: [...eld.percentiles].map(([q, ns]) => [q, late(ns)]),
      eldCount: eld.count,
      // Each V8 space's committed memory (MB): which one grows when the heap committed does.
      spaces: Object.fromEntries(
        v8.getHeapSpaceStatistics().map((sp) => [sp.space_name, +(sp.physical_space_size / 1048576).toFixed(1)]),
      ),
    };
    eld.reset();
    fs.appendFileSync(out, `${JSON.stringify(line)}\n`);
  }, 1000);
  timer.unref();
  process.on('SIGUSR2', () => {
    v8.writeHeapSnapshot(path.join(path.dirname(out), `controller-${Date.now()}.heapsnapshot`));
  });
}
