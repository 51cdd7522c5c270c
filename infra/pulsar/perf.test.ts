import { describe, expect, it } from 'vitest';
import { aggregatedThroughput } from './perf.ts';

describe('aggregatedThroughput', () => {
  it('reads the perf tool closing line', () => {
    const line = '... PerformanceConsumer - Aggregated throughput stats --- 1,204 records received --- 95.2 msg/s --- 0.1 Mbit/s';
    expect(aggregatedThroughput(line)).toEqual({ messages: 1204, rate: 95.2 });
    expect(aggregatedThroughput('nothing here')).toBeUndefined();
  });
});
