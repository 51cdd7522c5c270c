// Partitioned topics created through the admin API: each router puts messages where it should
// (checked per partition with the broker's own stats), and one consumer on the partitioned topic
// receives everything from every partition.
import { describe, expect, it } from 'vitest';
import { PulsarAdmin } from '../../platform/pulsar-admin/index.ts';
import { javaStringHash } from '../../platform/pulsar/index.ts';
import { loadStackInfo, regionByName } from '../../platform/regions/index.ts';
import { waitFor } from '../helpers/index.ts';
import { clientsClosedAfterAll, superuserToken, take, topicName } from './helpers.ts';

const PARTITIONS = 4;
const admin = new PulsarAdmin({ webUrl: regionByName(loadStackInfo(), 'east').webUrl, token: superuserToken() });
const client = clientsClosedAfterAll();

async function partitionedTopic(test: string): Promise<string> {
  const topic = topicName(test);
  await admin.topics.ensurePartitioned(topic, PARTITIONS);
  return topic;
}

/** msgInCounter of each partition, as the broker counts it, once it has counted `total`. */
async function perPartitionCounts(topic: string, total: number): Promise<number[]> {
  return waitFor(async () => {
    const stats = await admin.topics.partitionedStats(topic, { perPartition: true });
    const counts = Array.from({ length: PARTITIONS }, (_, i) => stats.partitions?.[`${topic}-partition-${i}`]?.msgInCounter ?? 0);
    return counts.reduce((a, b) => a + b, 0) === total ? counts : undefined;
  }, { what: `${total} messages counted on ${topic}` });
}

describe('partitioned topics against the real broker', () => {
  it('round-robins without batching over every partition, and one consumer receives all', async () => {
    const c = client();
    const topic = await partitionedTopic('parts-rr');
    const consumer = await c.subscribe({ topic, subscription: 'sub', initialPosition: 'Earliest' });
    expect(consumer.topics).toHaveLength(PARTITIONS);
    const producer = await c.createProducer({ topic, batching: false });
    expect(producer.partitions).toBe(PARTITIONS);
    for (let i = 0; i < 40; i++) await producer.send({ value: String(i) });
    expect(await perPartitionCounts(topic, 40)).toEqual([10, 10, 10, 10]);
    const got = await take(consumer, 40);
    expect(got.map((m) => Number(m.value.toString())).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(new Set(got.map((m) => m.id.partition))).toEqual(new Set([0, 1, 2, 3]));
    for (const m of got) {
      expect(m.topic).toBe(`${topic}-partition-${m.id.partition}`);
      consumer.ack(m);
    }
  });

  it('hashes keys as Java does (JavaStringHash % partitions) and keeps per-key order', async () => {
    const c = client();
    const topic = await partitionedTopic('parts-key');
    const consumer = await c.subscribe({ topic, subscription: 'sub', initialPosition: 'Earliest', type: 'KeyShared' });
    const producer = await c.createProducer({ topic, batching: { maxDelayMs: 5 } });
    const keys = Array.from({ length: 8 }, (_, k) => `key-${k}`);
    await Promise.all(Array.from({ length: 80 }, (_, i) => producer.send({ value: String(i), key: keys[i % keys.length]! })));
    const expected = [0, 0, 0, 0];
    for (const key of keys) expected[javaStringHash(key) % PARTITIONS]! += 10;
    expect(await perPartitionCounts(topic, 80)).toEqual(expected);
    const got = await take(consumer, 80);
    for (const key of keys) {
      const mine = got.filter((m) => m.key === key);
      expect(mine).toHaveLength(10);
      expect(new Set(mine.map((m) => m.id.partition))).toEqual(new Set([javaStringHash(key) % PARTITIONS]));
      const seq = mine.map((m) => Number(m.value.toString()));
      expect(seq).toEqual([...seq].sort((a, b) => a - b));
    }
  });

  it('routes with a custom router', async () => {
    const c = client();
    const topic = await partitionedTopic('parts-custom');
    const consumer = await c.subscribe({ topic, subscription: 'sub', initialPosition: 'Earliest', type: 'Shared' });
    // Everything to the partition named in a property; a router sees the whole message.
    const producer = await c.createProducer({ topic, routing: (m) => Number(m.properties?.to ?? 0) });
    await Promise.all(Array.from({ length: 30 }, (_, i) => producer.send({ value: String(i), key: 'ignored-by-custom-router', properties: { to: String(i % 3 === 0 ? 3 : 1) } })));
    expect(await perPartitionCounts(topic, 30)).toEqual([0, 20, 0, 10]);
    const got = await take(consumer, 30);
    for (const m of got) expect(m.id.partition).toBe(Number(m.properties.to));
  });

  it('sends every keyless message to one partition with single routing', async () => {
    const c = client();
    const topic = await partitionedTopic('parts-single');
    const producer = await c.createProducer({ topic, routing: 'single' });
    await Promise.all(Array.from({ length: 20 }, (_, i) => producer.send({ value: String(i) })));
    expect((await perPartitionCounts(topic, 20)).filter((n) => n > 0)).toEqual([20]);
  });

  it('retries and dead-letters messages of a partitioned topic', async () => {
    const c = client();
    const topic = await partitionedTopic('parts-retry');
    const consumer = await c.subscribe({
      topic, subscription: 'sub', type: 'Shared', initialPosition: 'Earliest', nackRedeliveryDelayMs: 100,
      retry: { maxReconsumeTimes: 1 }, deadLetter: { maxRedeliverCount: 1 },
    });
    const dlq = await c.subscribe({ topic: `${topic}-sub-DLQ`, subscription: 'dlq-reader', initialPosition: 'Earliest' });
    const producer = await c.createProducer({ topic, batching: false });
    await producer.send({ value: 'nacked', key: 'a' });
    await producer.send({ value: 'retried', key: 'b' });
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) {
      const m = await consumer.receive(20_000);
      seen.push(`${m.value.toString()}@${m.topic.endsWith('-RETRY') ? 'retry' : 'main'}`);
      if (m.value.toString() === 'nacked') consumer.nack(m);
      else await consumer.reconsumeLater(m, 0);
    }
    expect(seen.sort()).toEqual(['nacked@main', 'retried@main', 'retried@retry']);
    const dead = await take(dlq, 2);
    expect(dead.map((m) => m.value.toString()).sort()).toEqual(['nacked', 'retried']);
    for (const m of dead) expect(m.properties.REAL_TOPIC).toMatch(new RegExp(`^${topic}-partition-\\d$`));
  });

  it('round-robins batches across partitions', async () => {
    const c = client();
    const topic = await partitionedTopic('parts-rr-batch');
    const consumer = await c.subscribe({ topic, subscription: 'sub', initialPosition: 'Earliest', type: 'Shared' });
    const producer = await c.createProducer({ topic, batching: { maxDelayMs: 1 } });
    for (let round = 0; round < 8; round++) {
      await Promise.all(Array.from({ length: 10 }, (_, i) => producer.send({ value: `${round}-${i}` })));
      await new Promise((r) => setTimeout(r, 20));
    }
    const counts = await perPartitionCounts(topic, 80);
    expect(counts.filter((n) => n > 0).length).toBeGreaterThan(1);
    expect(await take(consumer, 80)).toHaveLength(80);
  });
});
