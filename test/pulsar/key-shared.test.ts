// Key_Shared on a partitioned topic with three consumers, keys produced interleaved in batches: with
// key-based batching every key reaches exactly one consumer, in order. (Default batching puts
// several keys in one entry, and the broker hands the whole entry to the consumer of its first
// key, so a key is then seen by two consumers.)
import { describe, expect, it } from 'vitest';
import { PulsarAdmin } from '../../platform/pulsar-admin/index.ts';
import type { Consumer, KeySharedPolicy, Message, PulsarClient } from '../../platform/pulsar/index.ts';
import { loadStackInfo, regionByName } from '../../platform/regions/index.ts';
import { waitFor } from '../helpers/index.ts';
import { clientsClosedAfterAll, superuserToken, topicName } from './helpers.ts';

const admin = new PulsarAdmin({ webUrl: regionByName(loadStackInfo(), 'east').webUrl, token: superuserToken() });
const client = clientsClosedAfterAll();

const KEYS = 24;
const ROUNDS = 10;
/** Messages per key per round: a round's messages of one key can share a batch. */
const PER_ROUND = 5;

/** Receives and acks on every consumer until `total` messages arrived over all of them. */
async function drain(consumers: Consumer[], total: number): Promise<Message[][]> {
  const seen: Message[][] = consumers.map(() => []);
  let stop = false;
  const loops = consumers.map(async (consumer, i) => {
    while (!stop) {
      const batch = await consumer.receiveBatch({ maxMessages: 100, timeoutMs: 200 });
      for (const m of batch) {
        seen[i]!.push(m);
        consumer.ack(m);
      }
    }
  });
  try {
    await waitFor(async () => seen.reduce((n, s) => n + s.length, 0) >= total, { timeoutMs: 60_000, what: `${total} messages` });
    // A little longer: duplicates, if any, would arrive now.
    await new Promise((r) => setTimeout(r, 500));
  } finally {
    stop = true;
    await Promise.all(loops);
  }
  return seen;
}

/** Three Key_Shared consumers, then keys produced in rounds, all sends of a round at once (so they batch). */
async function produceAndConsume(c: PulsarClient, test: string, keyBased: boolean, keyShared?: (i: number) => KeySharedPolicy) {
  const topic = topicName(test);
  await admin.topics.ensurePartitioned(topic, 3);
  const consumers = [];
  for (let i = 0; i < 3; i++) {
    consumers.push(await c.subscribe({
      topic, subscription: 'ks', type: 'KeyShared', initialPosition: 'Earliest', consumerName: `c${i}`,
      ...(keyShared ? { keyShared: keyShared(i) } : {}),
    }));
  }
  const producer = await c.createProducer({ topic, batching: { maxDelayMs: 20, keyBased } });
  const expected: string[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const sends = [];
    for (let j = 0; j < PER_ROUND; j++) {
      // Each pass starts at another key, so batches start with different keys.
      for (let i = 0; i < KEYS; i++) {
        const k = (i + round * PER_ROUND + j) % KEYS;
        const value = `key-${k}:${round * PER_ROUND + j}`;
        expected.push(value);
        sends.push(producer.send({ key: `key-${k}`, value }));
      }
    }
    await Promise.all(sends);
  }
  const seen = await drain(consumers, expected.length);
  return { expected, seen };
}

function consumersPerKey(seen: Message[][]): Map<string, Set<number>> {
  const byKey = new Map<string, Set<number>>();
  seen.forEach((messages, i) => {
    for (const m of messages) {
      const set = byKey.get(m.key!) ?? new Set<number>();
      set.add(i);
      byKey.set(m.key!, set);
    }
  });
  return byKey;
}

function checkExactlyOneConsumerPerKeyInOrder(expected: string[], seen: Message[][]): void {
  const all = seen.flat().map((m) => m.value.toString());
  expect(all.length).toBe(new Set(all).size); // no duplicates
  expect(new Set(all)).toEqual(new Set(expected)); // nothing lost, nothing extra
  // Batches did form (several messages per entry), so the test exercises batching.
  expect(seen.flat().some((m) => m.id.batchSize > 1)).toBe(true);
  const byKey = consumersPerKey(seen);
  const shared = [...byKey].filter(([, set]) => set.size > 1).map(([key, set]) => `${key}: consumers ${[...set]}`);
  expect(shared).toEqual([]);
  for (const messages of seen) {
    const rounds = new Map<string, number[]>();
    for (const m of messages) {
      const [key, round] = m.value.toString().split(':');
      rounds.set(key!, [...(rounds.get(key!) ?? []), Number(round)]);
    }
    for (const [key, list] of rounds) expect(list, key).toEqual(Array.from({ length: ROUNDS * PER_ROUND }, (_, i) => i));
  }
  // The keys were spread: more than one consumer had work.
  expect(seen.filter((s) => s.length > 0).length).toBeGreaterThan(1);
}

describe('Key_Shared with batching, three consumers on a partitioned topic', () => {
  it('with keyBased batching, every key is seen by exactly one consumer, in order (AUTO_SPLIT)', async () => {
    const { expected, seen } = await produceAndConsume(client(), 'ks-auto', true);
    checkExactlyOneConsumerPerKeyInOrder(expected, seen);
    // Each entry carried one key only.
    const keysPerEntry = new Map<string, Set<string>>();
    for (const m of seen.flat()) {
      const entry = `${m.id.partition}:${m.id.ledgerId}:${m.id.entryId}`;
      keysPerEntry.set(entry, (keysPerEntry.get(entry) ?? new Set()).add(m.key!));
    }
    expect([...keysPerEntry.values()].filter((s) => s.size > 1)).toEqual([]);
  });

  it('with keyBased batching and STICKY hash ranges, every key is seen by exactly one consumer, in order', async () => {
    const thirds = [[0, 21_844], [21_845, 43_689], [43_690, 65_535]] as const;
    const { expected, seen } = await produceAndConsume(client(), 'ks-sticky', true, (i) => ({
      mode: 'STICKY', hashRanges: [{ start: thirds[i]![0], end: thirds[i]![1] }],
    }));
    checkExactlyOneConsumerPerKeyInOrder(expected, seen);
  });
});
