import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ClientContext } from '../context.ts';
import { Instrumentation, silentLogger } from '../instrumentation.ts';
import { MessageId } from '../message/index.ts';
import { MemoryLimit } from '../memory-limit.ts';
import type { Delivery } from './partition-consumer.ts';
import { PartitionConsumer, type PartitionConsumerOptions } from './partition-consumer.ts';
import { nackBackoff, nackBackoffDelay, NackTracker } from './nack-tracker.ts';

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('nack backoff', () => {
  it('grows min × multiplier^count and stops at max', () => {
    const b = nackBackoff({ minDelayMs: 100, maxDelayMs: 1000, multiplier: 2 });
    expect([0, 1, 2, 3, 4, 10, 10_000].map((n) => nackBackoffDelay(b, n))).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
    expect(nackBackoff({})).toEqual({ minDelayMs: 1000, maxDelayMs: 60_000, multiplier: 2 });
  });

  it('refuses a backoff that cannot work', () => {
    for (const bad of [{ minDelayMs: -1 }, { minDelayMs: 10, maxDelayMs: 5 }, { multiplier: 0.5 }, { maxDelayMs: Infinity }]) {
      expect(() => nackBackoff(bad)).toThrow(expect.objectContaining({ code: 'InvalidConfiguration' }));
    }
  });

  it('NackTracker hands out each message when its own delay has passed (fake clock)', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const tracker = new NackTracker(nackBackoff({ minDelayMs: 100, maxDelayMs: 1000, multiplier: 3 }));
    const first = new MessageId(1n, 1n, -1);
    const third = new MessageId(1n, 2n, -1);
    tracker.add(first, 0); // 100 ms
    tracker.add(third, 2); // 900 ms
    vi.advanceTimersByTime(99);
    expect(tracker.takeDue()).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(tracker.takeDue()).toEqual([first]);
    vi.advanceTimersByTime(799);
    expect(tracker.takeDue()).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(tracker.takeDue()).toEqual([third]);
    expect(tracker.size).toBe(0);
  });

  it('a fixed delay ignores the redelivery count, and an ack removes the nack', () => {
    vi.useFakeTimers({ now: 0 });
    const tracker = new NackTracker(500);
    const a = new MessageId(2n, 1n, 0);
    const b = new MessageId(2n, 2n, 0);
    tracker.add(a, 7);
    tracker.add(b, 0);
    expect(tracker.delete(b.key())).toBe(true);
    vi.advanceTimersByTime(500);
    expect(tracker.takeDue()).toEqual([a]);
  });
});

describe('a partition consumer redelivers nacked messages after the backoff delay', () => {
  const ctx = {
    pool: {}, lookup: {}, logger: silentLogger, instrumentation: new Instrumentation(),
    operationTimeoutMs: 1000, backoff: {}, closing: new AbortController().signal, memory: new MemoryLimit(0),
  } as unknown as ClientContext;
  const delivery: Delivery = { push: () => undefined, purge: () => 0, failed: () => undefined, queueFull: () => false };
  const options: PartitionConsumerOptions = {
    subscription: 's', type: 'Shared', initialPosition: 'Latest', receiverQueueSize: 10, ackGroupingMs: 0,
    batchIndexAck: false, nackRedeliveryDelayMs: 60_000, ackTimeoutMs: 0, durable: true,
    nackBackoff: { minDelayMs: 100, maxDelayMs: 1000, multiplier: 2 },
  };

  it('on its timer: a message nacked at redelivery count 2 comes back after 400 ms, not the fixed 60 s', async () => {
    vi.useFakeTimers({ now: 0 });
    const redeliver = vi.spyOn(PartitionConsumer.prototype, 'redeliver').mockImplementation(() => undefined);
    const consumer = new PartitionConsumer(ctx, delivery, 't', -1, options);
    const id = new MessageId(5n, 9n, -1);
    consumer.nack(id, 2);
    vi.advanceTimersByTime(399);
    expect(redeliver).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(redeliver).toHaveBeenCalledWith([id]);
    await consumer.close();
  });
});
