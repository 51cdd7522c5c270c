import { afterAll, describe, expect, it } from 'vitest';
import { MessageId, PulsarClient, PulsarError } from '../../platform/pulsar/index.ts';
import { PulsarAdmin } from '../../platform/pulsar-admin/index.ts';
import { loadStackInfo, regionByName } from '../../platform/regions/index.ts';
import { clientFor, regionUrl, superuserToken, take, topicName } from './helpers.ts';

const clients: PulsarClient[] = [];
function client(region: 'east' | 'west' = 'east'): PulsarClient {
  const c = clientFor(region);
  clients.push(c);
  return c;
}
afterAll(async () => { await Promise.all(clients.map((c) => c.close())); });

describe('produce and consume against the real broker', () => {
  it('refuses a connection without a token with a typed, non-retriable error', async () => {
    const anonymous = new PulsarClient({ serviceUrl: regionUrl('east') });
    clients.push(anonymous);
    const err = await anonymous.createProducer({ topic: topicName('noauth') }).catch((e) => e);
    expect(err).toBeInstanceOf(PulsarError);
    expect(err.code).toBe('AuthenticationError');
    expect(err.retriable).toBe(false);
  });

  for (const region of ['east', 'west'] as const) {
    for (const compression of ['NONE', 'LZ4', 'ZLIB', 'SNAPPY'] as const) {
      for (const batching of [true, false]) {
        it(`round-trips on ${region} with ${compression}, batching ${batching ? 'on' : 'off'}`, async () => {
          const c = client(region);
          const topic = topicName(`rt-${compression.toLowerCase()}`);
          const consumer = await c.subscribe({ topic, subscription: 'sub', initialPosition: 'Earliest' });
          const producer = await c.createProducer({ topic, compression, batching: batching ? { maxDelayMs: 5 } : false });
          const sends = Array.from({ length: 50 }, (_, i) =>
            producer.send({ value: `m-${i}`.repeat(10), key: `k${i % 3}`, properties: { i: String(i) }, eventTime: 1_000 + i }));
          const ids = await Promise.all(sends);
          expect(ids.every((id) => id instanceof MessageId)).toBe(true);
          const got = await take(consumer, 50);
          expect(got.map((m) => m.value.toString())).toEqual(Array.from({ length: 50 }, (_, i) => `m-${i}`.repeat(10)));
          expect(got[7]!.properties).toEqual({ i: '7' });
          expect(got[7]!.key).toBe('k1');
          expect(got[7]!.eventTime).toBe(1_007);
          expect(got.every((m) => m.error === undefined)).toBe(true);
          for (const m of got) consumer.ack(m);
          await producer.close();
          await consumer.close();
        });
      }
    }
  }

  it('spreads over a partitioned topic and keeps per-key order', async () => {
    const c = client();
    const topic = topicName('parts');
    await new PulsarAdmin({ webUrl: regionByName(loadStackInfo(), 'east').webUrl, token: superuserToken() }).topics.ensurePartitioned(topic, 3);
    const producer = await c.createProducer({ topic, batching: false });
    expect(producer.partitions).toBe(3);
    const consumer = await c.subscribe({ topic, subscription: 'sub', initialPosition: 'Earliest', type: 'KeyShared' });
    for (let i = 0; i < 30; i++) await producer.send({ value: String(i), key: `key-${i % 3}` });
    const got = await take(consumer, 30);
    for (const key of ['key-0', 'key-1', 'key-2']) {
      const mine = got.filter((m) => m.key === key);
      expect(new Set(mine.map((m) => m.id.partition)).size).toBe(1);
      const seq = mine.map((m) => Number(m.value.toString()));
      expect(seq).toEqual([...seq].sort((a, b) => a - b));
    }
  });

  it('redelivers nacked messages and dead-letters after maxRedeliverCount', async () => {
    const c = client();
    const topic = topicName('dlq');
    const consumer = await c.subscribe({
      topic, subscription: 'sub', type: 'Shared', initialPosition: 'Earliest', nackRedeliveryDelayMs: 100,
      deadLetter: { maxRedeliverCount: 2 },
    });
    const dlq = await c.subscribe({ topic: `${topic}-sub-DLQ`, subscription: 'dlq-reader', initialPosition: 'Earliest' });
    const producer = await c.createProducer({ topic });
    await producer.send({ value: 'poison' });
    const seen: number[] = [];
    for (let i = 0; i < 2; i++) {
      const m = await consumer.receive(20_000);
      seen.push(m.redeliveryCount);
      consumer.nack(m);
    }
    expect(seen).toEqual([0, 1]);
    const dead = await dlq.receive(20_000);
    expect(dead.value.toString()).toBe('poison');
    expect(dead.properties.REAL_TOPIC).toBe(topic);
  });

  it('acks cumulatively, seeks back and reads with a reader', async () => {
    const c = client();
    const topic = topicName('seek');
    const producer = await c.createProducer({ topic, batching: false });
    const ids: MessageId[] = [];
    for (let i = 0; i < 5; i++) ids.push(await producer.send({ value: String(i) }));
    const consumer = await c.subscribe({ topic, subscription: 'sub', initialPosition: 'Earliest' });
    const got = await take(consumer, 5);
    consumer.ackCumulative(got[4]!);
    await consumer.seek(ids[2]!);
    const again = await consumer.receive(20_000);
    expect(again.value.toString()).toBe('2');
    const reader = await c.createReader({ topic, startMessageId: MessageId.earliest });
    const read = await take(reader, 5);
    expect(read.map((m) => m.value.toString())).toEqual(['0', '1', '2', '3', '4']);
    const fromId = await c.createReader({ topic, startMessageId: ids[1]! });
    expect((await fromId.receive(20_000)).value.toString()).toBe('2');
  });

  it('receives in batches and iterates with for await', async () => {
    const c = client();
    const topic = topicName('iter');
    const producer = await c.createProducer({ topic });
    const consumer = await c.subscribe({ topic, subscription: 'sub', initialPosition: 'Earliest' });
    await Promise.all(Array.from({ length: 20 }, (_, i) => producer.send({ value: String(i) })));
    const batch = await consumer.receiveBatch({ maxMessages: 10, timeoutMs: 5_000 });
    expect(batch.length).toBeGreaterThan(0);
    expect(batch.length).toBeLessThanOrEqual(10);
    let count = batch.length;
    for await (const m of consumer) {
      consumer.ack(m);
      if (++count === 20) break;
    }
    expect(count).toBe(20);
  });
});
