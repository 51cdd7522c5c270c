// What stalled this process during a phase: the event loop's delay (anything that kept it from
// running timers: GC, long synchronous work) and V8's garbage-collection pauses. A latency tail
// that coincides with a long pause here is ours; one without is the broker's or the machine's.
import { monitorEventLoopDelay, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';

export interface Pauses {
  /** Event-loop delay, ms: how late a 1 ms timer ran, p99 and worst. */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  /** Garbage collection: the longest pause and the sum over the phase, ms. */
  gcMaxMs: number;
  gcTotalMs: number;
}

/** Starts watching; the returned function stops and reports. */
export function watchPauses(): () => Pauses {
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  let gcMaxMs = 0;
  let gcTotalMs = 0;
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries() as PerformanceEntry[]) {
      gcMaxMs = Math.max(gcMaxMs, entry.duration);
      gcTotalMs += entry.duration;
    }
  });
  gc.observe({ entryTypes: ['gc'] });
  return () => {
    loop.disable();
    gc.disconnect();
    // The histogram is in nanoseconds; it is empty (NaN/huge) if no timer ran at all.
    const ms = (ns: number) => (Number.isFinite(ns) && ns < 1e15 ? ns / 1e6 : 0);
    return { loopDelayP99Ms: ms(loop.percentile(99)), loopDelayMaxMs: ms(loop.max), gcMaxMs, gcTotalMs };
  };
}
