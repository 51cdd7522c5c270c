import { describe, expect, it } from 'vitest';
import type { Producer } from '../../platform/pulsar/index.ts';
import { produceLoop } from './our-client.ts';

/** Acks every send after `ackMs`: enough of a producer for the loop's bookkeeping. */
function producerAckingAfter(ackMs: number): Producer {
  return {
    send: () => new Promise((resolve) => setTimeout(resolve, ackMs)),
    flush: async () => undefined,
  } as unknown as Producer;
}

describe('produceLoop', () => {
  it('counts every ack but records latencies only after the warm-up, as pulsar-perf does', async () => {
    const r = await produceLoop(producerAckingAfter(2), { durationMs: 400, sizeBytes: 8, maxOutstanding: 10, rate: 2_000, latencyWarmupMs: 200 });
    expect(r.messages).toBeGreaterThan(0);
    expect(r.latency!.count).toBeGreaterThan(0);
    // About half the run is warm-up; allow for timer jitter on a busy machine.
    expect(r.latency!.count).toBeLessThan(r.messages * 0.8);
    // The slowest recorded ack was sent after the warm-up began to end (acks take 2 ms).
    expect(r.slowest!.sentAtS).toBeGreaterThan(0.19);
  });

  it('records every latency with no warm-up', async () => {
    const r = await produceLoop(producerAckingAfter(2), { durationMs: 200, sizeBytes: 8, maxOutstanding: 10, rate: 2_000, latencyWarmupMs: 0 });
    expect(r.latency!.count).toBe(r.messages);
  });
});
