// Subscription types and redelivery against the real broker: Failover hands over when the
// active consumer leaves, Exclusive refuses a second consumer, ack timeout redelivers, retry
// topics bring messages back before dead-lettering, and batch-index acks redeliver only the
// messages of a batch that were not acked (broker: acknowledgmentAtBatchIndexLevelEnabled).
import { describe, expect, it } from 'vitest';
import { PulsarError, RETRY_PROPERTIES, type Consumer, type Message } from '../../platform/pulsar/index.ts';
import { PulsarAdmin } from '../../platform/pulsar-admin/index.ts';
import { loadStackInfo, regionByName } from '../../platform/regions/index.ts';
import { waitFor } from '../helpers/index.ts';
import { clientsClosedAfterAll, superuserToken, take, topicName } from './helpers.ts';

const client = clientsClosedAfterAll();

const values = (ms: { value: Buffer }[]) => ms.map((m) => m.value.toString());

describe('subscription types', () => {
  it('Failover: only the active consumer receives, and the standby takes over when it closes', async () => {
    const c = client();
    const topic = topicName('failover');
    const a = await c.subscribe({ topic, subscription: 'sub', type: 'Failover', consumerName: 'a', initialPosition: 'Earliest', ackGroupingMs: 0 });
    const b = await c.subscribe({ topic, subscription: 'sub', type: 'Failover', consumerName: 'b', initialPosition: 'Earliest', ackGroupingMs: 0 });
    // On a non-partitioned topic the broker picks the active consumer by a hash of the names.
    const [first, second] = await waitFor(async () => (a.isActive !== b.isActive ? (a.isActive ? [a, b] : [b, a]) : undefined), { what: 'one active consumer' });
    const producer = await c.createProducer({ topic, batching: false });
    for (let i = 0; i < 10; i++) await producer.send({ value: String(i) });
    const got = await take(first, 10);
    expect(values(got)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(second.isActive).toBe(false);
    await expect(second.receive(1_000)).rejects.toMatchObject({ code: 'Timeout' });
    for (const m of got.slice(0, 5)) first.ack(m);
    await first.close();
    await waitFor(async () => second.isActive, { what: 'standby to become active' });
    // The unacked half moves to the standby, in order.
    expect(values(await take(second, 5))).toEqual(['5', '6', '7', '8', '9']);
    await producer.send({ value: '10' });
    expect((await second.receive(20_000)).value.toString()).toBe('10');
  });

  it('Failover on a partitioned topic: partitions are shared out, and all move to the survivor', async () => {
    const c = client();
    const topic = topicName('failover-parts');
    await new PulsarAdmin({ webUrl: regionByName(loadStackInfo(), 'east').webUrl, token: superuserToken() }).topics.ensurePartitioned(topic, 4);
    const options = { topic, subscription: 'sub', type: 'Failover' as const, initialPosition: 'Earliest' as const, ackGroupingMs: 0 };
    const a = await c.subscribe({ ...options, consumerName: 'a' });
    const b = await c.subscribe({ ...options, consumerName: 'b' });
    // The broker makes consumer (partition index mod consumers) active on each partition.
    await waitFor(async () => a.isActive && b.isActive, { what: 'both consumers active on some partition' });
    const producer = await c.createProducer({ topic, batching: false });
    for (let i = 0; i < 20; i++) await producer.send({ value: String(i) });
    const fromA: Message[] = [];
    const fromB: Message[] = [];
    const drain = async (consumer: Consumer, into: Message[]) => {
      for (;;) {
        try { into.push(await consumer.receive(3_000)); } catch { return; }
      }
    };
    await Promise.all([drain(a, fromA), drain(b, fromB)]);
    // A partition handed over while messages were in flight may deliver some twice.
    expect([...new Set(values([...fromA, ...fromB]).map(Number))].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(fromA.length).toBeGreaterThan(0);
    expect(fromB.length).toBeGreaterThan(0);
    for (const m of fromB) b.ack(m);
    await b.close();
    for (let i = 20; i < 28; i++) await producer.send({ value: String(i) });
    const rest = await take(a, 8);
    expect(new Set(rest.map((m) => m.id.partition)).size).toBe(4);
  });

  it('Exclusive: a second consumer on the subscription is refused with ConsumerBusy', async () => {
    const c = client();
    const topic = topicName('exclusive');
    await c.subscribe({ topic, subscription: 'sub', type: 'Exclusive' });
    const err = await c.subscribe({ topic, subscription: 'sub', type: 'Exclusive' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PulsarError);
    expect((err as PulsarError).code).toBe('ConsumerBusy');
    expect((err as PulsarError).retriable).toBe(false);
    // Another subscription on the same topic is fine.
    await expect(c.subscribe({ topic, subscription: 'other', type: 'Exclusive' })).resolves.toBeDefined();
  });
});

describe('redelivery', () => {
  for (const type of ['Shared', 'Exclusive'] as const) {
    it(`redelivers what is not acked within ackTimeoutMs (${type})`, async () => {
      const c = client();
      const topic = topicName(`ack-timeout-${type.toLowerCase()}`);
      const consumer = await c.subscribe({ topic, subscription: 'sub', type, initialPosition: 'Earliest', ackTimeoutMs: 1_000, ackGroupingMs: 0 });
      const producer = await c.createProducer({ topic, batching: false });
      await producer.send({ value: 'acked' });
      await producer.send({ value: 'forgotten' });
      const [acked, forgotten] = await take(consumer, 2);
      consumer.ack(acked!);
      const started = Date.now();
      const again = await consumer.receive(10_000);
      expect(again.value.toString()).toBe('forgotten');
      expect(again.id.equals(forgotten!.id)).toBe(true);
      expect(Date.now() - started).toBeGreaterThanOrEqual(500);
      consumer.ack(again);
      await expect(consumer.receive(2_500)).rejects.toMatchObject({ code: 'Timeout' });
    });
  }

  it('reconsumeLater goes through the retry topic, comes back, then dead-letters after maxReconsumeTimes', async () => {
    const c = client();
    const topic = topicName('retry');
    const consumer = await c.subscribe({
      topic, subscription: 'sub', type: 'Shared', initialPosition: 'Earliest', retry: { maxReconsumeTimes: 2 },
    });
    expect(consumer.topics).toContain(`${topic}-sub-RETRY`);
    const dlq = await c.subscribe({ topic: `${topic}-sub-DLQ`, subscription: 'dlq-reader', initialPosition: 'Earliest' });
    const retryWatcher = await c.subscribe({ topic: `${topic}-sub-RETRY`, subscription: 'watch', initialPosition: 'Earliest' });
    const producer = await c.createProducer({ topic });
    await producer.send({ value: 'again', key: 'k', properties: { app: 'x' } });

    const first = await consumer.receive(20_000);
    expect(first.topic).toBe(topic);
    const started = Date.now();
    await consumer.reconsumeLater(first, 1_500);
    const copies = [];
    for (let times = 1; times <= 2; times++) {
      const m = await consumer.receive(20_000);
      copies.push(m);
      expect(m.topic).toBe(`${topic}-sub-RETRY`);
      expect(m.value.toString()).toBe('again');
      expect(m.key).toBe('k');
      expect(m.properties).toMatchObject({
        app: 'x', [RETRY_PROPERTIES.reconsumeTimes]: String(times), [RETRY_PROPERTIES.realTopic]: topic,
        [RETRY_PROPERTIES.originMessageId]: first.id.toString(),
      });
      if (times === 1) expect(Date.now() - started).toBeGreaterThanOrEqual(1_000); // deliverAfter honoured
      await consumer.reconsumeLater(m, 100);
    }
    expect(values(await take(retryWatcher, 2))).toEqual(['again', 'again']);
    const dead = await dlq.receive(20_000);
    expect(dead.value.toString()).toBe('again');
    expect(dead.properties[RETRY_PROPERTIES.realTopic]).toBe(topic);
    await expect(consumer.receive(2_000)).rejects.toMatchObject({ code: 'Timeout' });
  });

  it('batch-index acks: only the unacked messages of a batch come back', async () => {
    const c = client();
    const topic = topicName('batch-index');
    const options = { topic, subscription: 'sub', type: 'Shared' as const, initialPosition: 'Earliest' as const, batchIndexAck: true, ackGroupingMs: 0 };
    const consumer = await c.subscribe(options);
    const producer = await c.createProducer({ topic, batching: { maxMessages: 10, maxDelayMs: 1_000 } });
    const ids = await Promise.all(Array.from({ length: 10 }, (_, i) => producer.send({ value: String(i) })));
    expect(new Set(ids.map((id) => `${id.ledgerId}:${id.entryId}`)).size).toBe(1);
    const got = await take(consumer, 10);
    expect(got.every((m) => m.id.batchSize === 10)).toBe(true);
    for (const m of got) if (Number(m.value.toString()) % 2 === 0) consumer.ack(m);
    await new Promise((r) => setTimeout(r, 500));
    await consumer.close();
    const next = await c.subscribe(options);
    const back = await take(next, 5);
    expect(values(back).sort()).toEqual(['1', '3', '5', '7', '9']);
    expect(back.map((m) => m.id.batchIndex).sort()).toEqual([1, 3, 5, 7, 9]);
    await expect(next.receive(1_500)).rejects.toMatchObject({ code: 'Timeout' });
    for (const m of back) next.ack(m);
  });

  it('batch-index acks: a nack redelivers just that message of the batch', async () => {
    const c = client();
    const topic = topicName('batch-nack');
    const consumer = await c.subscribe({ topic, subscription: 'sub', type: 'Shared', initialPosition: 'Earliest', batchIndexAck: true, ackGroupingMs: 0, nackRedeliveryDelayMs: 200 });
    const producer = await c.createProducer({ topic, batching: { maxMessages: 4, maxDelayMs: 1_000 } });
    await Promise.all(['a', 'b', 'c', 'd'].map((value) => producer.send({ value })));
    for (const m of await take(consumer, 4)) {
      if (m.value.toString() === 'c') consumer.nack(m);
      else consumer.ack(m);
    }
    const again = await consumer.receive(10_000);
    expect(again.value.toString()).toBe('c');
    expect(again.redeliveryCount).toBe(1);
    await expect(consumer.receive(1_500)).rejects.toMatchObject({ code: 'Timeout' });
  });
});
