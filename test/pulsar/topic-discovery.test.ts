// Partitions and topics that appear after a producer or consumer was created, against the real
// broker: a partitioned topic grown with platform/pulsar-admin is produced to and consumed on
// every new partition, and a topics-pattern consumer picks up topics created after it.
import { describe, expect, it } from 'vitest';
import { PulsarAdmin } from '../../platform/pulsar-admin/index.ts';
import { PulsarError, type Message } from '../../platform/pulsar/index.ts';
import { loadStackInfo, regionByName } from '../../platform/regions/index.ts';
import { uniqueName, waitFor } from '../helpers/index.ts';
import { clientsClosedAfterAll, superuserToken, take, topicName } from './helpers.ts';

const admin = new PulsarAdmin({ webUrl: regionByName(loadStackInfo(), 'east').webUrl, token: superuserToken() });
const client = clientsClosedAfterAll();

function values(messages: Message[]): string[] {
  return messages.map((m) => m.value.toString()).sort();
}

/** Nothing more arrives within `ms`. */
async function expectNoMore(consumer: { receive(timeoutMs?: number): Promise<Message> }, ms = 1500): Promise<void> {
  const extra = await consumer.receive(ms).then((m) => m.value.toString(), (err: unknown) => {
    if (err instanceof PulsarError && err.code === 'Timeout') return undefined;
    throw err;
  });
  expect(extra).toBeUndefined();
}

describe('partition auto-update against the real broker', () => {
  it('produces to and consumes from partitions added after creation (2 → 4)', async () => {
    const c = client();
    const topic = topicName('grow');
    await admin.topics.ensurePartitioned(topic, 2);
    const consumer = await c.subscribe({ topic, subscription: 'sub', type: 'Shared', initialPosition: 'Earliest', autoUpdatePartitionsIntervalMs: 300 });
    const producer = await c.createProducer({ topic, batching: false, autoUpdatePartitionsIntervalMs: 300 });
    expect([producer.partitions, consumer.topics.length]).toEqual([2, 2]);
    const expected: string[] = [];
    for (let i = 0; i < 10; i++) {
      await producer.send({ value: `before-${i}` });
      expected.push(`before-${i}`);
    }

    await admin.topics.updatePartitions(topic, 4);
    await waitFor(async () => producer.partitions === 4 && consumer.topics.length === 4, { what: 'producer and consumer on 4 partitions' });
    expect(consumer.topics.sort()).toEqual([0, 1, 2, 3].map((i) => `${topic}-partition-${i}`));
    // Round-robin without batching: every partition, the new ones included, gets messages.
    const ids = [];
    for (let i = 0; i < 40; i++) {
      ids.push(await producer.send({ value: `after-${i}` }));
      expected.push(`after-${i}`);
    }
    expect(new Set(ids.map((id) => id.partition))).toEqual(new Set([0, 1, 2, 3]));

    const got = await take(consumer, expected.length);
    for (const m of got) consumer.ack(m);
    expect(values(got)).toEqual([...expected].sort());
    expect(new Set(got.map((m) => m.id.partition))).toEqual(new Set([0, 1, 2, 3]));
    await expectNoMore(consumer);
  });
});

describe('topics-pattern subscriptions against the real broker', () => {
  it('consumes matching topics, including ones created after subscribing, and no others', async () => {
    const c = client();
    const prefix = uniqueName('pattern');
    const ns = 'persistent://public/default';
    const first = `${ns}/${prefix}-first`;
    const laterPartitioned = `${ns}/${prefix}-later-parts`;
    const laterPlain = `${ns}/${prefix}-later-plain`;
    const unrelated = `${ns}/other-${prefix}`;
    const send = async (topic: string, n: number) => {
      const p = await c.createProducer({ topic, batching: false });
      for (let i = 0; i < n; i++) await p.send({ value: `${topic}#${i}` });
      await p.close();
      return Array.from({ length: n }, (_, i) => `${topic}#${i}`);
    };

    await admin.topics.create(first);
    // Latest (the default): topics that exist now are read from the subscription on; topics
    // found later are read from their beginning, which is after this consumer started.
    const consumer = await c.subscribe({ topicsPattern: `${ns}/${prefix}-.*`, subscription: 'sub', patternAutoDiscoveryPeriodMs: 300 });
    expect(consumer.topics).toEqual([first]);
    const expected = await send(first, 3);

    await admin.topics.ensurePartitioned(laterPartitioned, 2);
    // Produced at once: some or all of it before a discovery notices these topics.
    expected.push(...await send(laterPartitioned, 10));
    expected.push(...await send(laterPlain, 5));
    await send(unrelated, 5);
    await waitFor(async () => consumer.topics.length === 4, { what: 'the new topics discovered' });
    expect(consumer.topics.sort()).toEqual([first, `${laterPartitioned}-partition-0`, `${laterPartitioned}-partition-1`, laterPlain].sort());

    const got = await take(consumer, expected.length);
    for (const m of got) consumer.ack(m);
    expect(values(got)).toEqual([...expected].sort());
    await expectNoMore(consumer);
  });

  it('refuses a pattern with topics, or with an implicit dead-letter topic', async () => {
    const c = client();
    await expect(c.subscribe({ topicsPattern: 'public/default/x-.*', topic: 'x', subscription: 's' })).rejects.toMatchObject({ code: 'InvalidConfiguration' });
    await expect(c.subscribe({ topicsPattern: 'public/default/x-.*', subscription: 's', deadLetter: { maxRedeliverCount: 3 } }))
      .rejects.toMatchObject({ code: 'InvalidConfiguration' });
  });
});
