import { afterEach, describe, expect, it } from 'vitest';
import { PulsarClient } from './index.ts';
import { LATENCY_BUCKETS_MS, LatencyHistogram, ProducerCounters, sumProducerCounters } from './stats.ts';
import { startFakeBroker, type FakeBroker } from './testing/fake-pulsar-broker.ts';

describe('LatencyHistogram', () => {
  it('counts into Prometheus-style cumulative buckets with sum and count', () => {
    const h = new LatencyHistogram();
    h.observe(0.2); // le 0.5
    h.observe(1); // le 1 (upper bounds are inclusive)
    h.observe(7, 3); // le 10, a batch of three
    h.observe(60_000); // beyond the last bound: +Inf only
    const s = h.snapshot();
    expect(s.count).toBe(6);
    expect(s.sum).toBeCloseTo(0.2 + 1 + 21 + 60_000);
    const at = (le: number) => s.buckets.find((b) => b.le === le)!.count;
    expect([at(0.5), at(1), at(5), at(10), at(30_000), at(Infinity)]).toEqual([1, 2, 2, 5, 5, 6]);
    expect(s.buckets).toHaveLength(LATENCY_BUCKETS_MS.length + 1);
  });

  it('sums partitions into one producer view', () => {
    const a = new ProducerCounters();
    const b = new ProducerCounters();
    a.messagesSent = 3; a.bytesSent = 300; a.messagesAcked = 2; a.sendLatencyMs.observe(2, 2);
    b.messagesSent = 1; b.bytesSent = 50; b.sendErrors = 1; b.sendLatencyMs.observe(40);
    const s = sumProducerCounters([{ counters: a, pendingMessages: 1, pendingBytes: 10 }, { counters: b, pendingMessages: 0, pendingBytes: 0 }]);
    expect(s).toMatchObject({ messagesSent: 4, bytesSent: 350, messagesAcked: 2, sendErrors: 1, pendingMessages: 1, pendingBytes: 10 });
    expect(s.sendLatencyMs.count).toBe(3);
    expect(s.sendLatencyMs.sum).toBe(44);
  });
});

describe('producer.stats() and consumer.stats() against the fake broker', () => {
  let broker: FakeBroker | undefined;
  let client: PulsarClient | undefined;
  afterEach(async () => {
    await client?.close();
    await broker?.close();
  });

  it('count what went through', async () => {
    broker = await startFakeBroker({ delivery: { batchSize: 5, payloadBytes: 16 } });
    client = new PulsarClient({ serviceUrl: broker.url, operationTimeoutMs: 5_000 });
    const producer = await client.createProducer({ topic: 'persistent://public/default/stats', batching: false });
    expect(producer.stats()).toMatchObject({ messagesSent: 0, messagesAcked: 0, pendingMessages: 0 });
    const sends = Array.from({ length: 7 }, (_, i) => producer.send({ value: `m${i}` }));
    expect(producer.stats().pendingMessages).toBe(7);
    await Promise.all(sends);
    const p = producer.stats();
    expect(p).toMatchObject({ messagesSent: 7, messagesAcked: 7, sendErrors: 0, pendingMessages: 0 });
    expect(p.bytesSent).toBeGreaterThan(7 * 2); // frames: payload plus metadata
    expect(p.sendLatencyMs.count).toBe(7);

    const consumer = await client.subscribe({ topic: 'persistent://public/default/stats', subscription: 's', receiverQueueSize: 10, ackGroupingMs: 0 });
    const first = await consumer.receive(2_000);
    consumer.ack(first);
    const second = await consumer.receive(2_000);
    consumer.nack(second);
    const c = consumer.stats();
    // The fake broker delivers whole entries of 5 messages of 16 bytes, as many as the permits allow.
    expect(c.messagesReceived % 5).toBe(0);
    expect(c.messagesReceived).toBeGreaterThanOrEqual(5);
    expect(c.bytesReceived).toBe(c.messagesReceived * 16);
    expect(c).toMatchObject({ acks: 1, nacks: 1, redeliveredMessages: 0, deadLettered: 0, queuedMessages: c.messagesReceived - 2 });
  });
});
