import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Producer } from '../../platform/pulsar/index.ts';
import { produceLoop, type PhaseResult } from './our-client.ts';

/** Acks every send after `ackMs`: enough of a producer for the loop's bookkeeping. */
function producerAckingAfter(ackMs: number): Producer {
  return {
    send: () => new Promise((resolve) => setTimeout(resolve, ackMs)),
    flush: async () => undefined,
  } as unknown as Producer;
}

/**
 * Runs the loop on a fake clock (timers and performance.now()), so what it counts depends on the
 * schedule, not on how busy the machine is. At 2,000 msgs/s the loop, woken every millisecond,
 * sends two at each of 1 ms … 399 ms: 798 sends over 400 ms, each acked 2 ms later.
 */
async function onFakeClock(run: () => Promise<PhaseResult>, spanMs: number): Promise<PhaseResult> {
  const result = run();
  await vi.advanceTimersByTimeAsync(spanMs);
  return result;
}

beforeEach(() => { vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] }); });
afterEach(() => { vi.useRealTimers(); });

describe('produceLoop', () => {
  it('counts every ack but records latencies only after the warm-up, as pulsar-perf does', async () => {
    const r = await onFakeClock(
      () => produceLoop(producerAckingAfter(2), { durationMs: 400, sizeBytes: 8, maxOutstanding: 10, rate: 2_000, latencyWarmupMs: 200 }),
      500,
    );
    expect(r.messages).toBe(798);
    // Only acks after the 200 ms warm-up count: the sends of 199 ms … 399 ms, about half the run.
    expect(r.latency!.count).toBe(402);
    expect(r.latency!.max).toBe(2);
    // The slowest recorded ack was sent after the warm-up began to end (acks take 2 ms).
    expect(r.slowest!.sentAtS).toBeGreaterThan(0.19);
  });

  it('records every latency with no warm-up', async () => {
    const r = await onFakeClock(
      () => produceLoop(producerAckingAfter(2), { durationMs: 200, sizeBytes: 8, maxOutstanding: 10, rate: 2_000, latencyWarmupMs: 0 }),
      300,
    );
    expect(r.messages).toBe(398);
    expect(r.latency!.count).toBe(r.messages);
  });
});
