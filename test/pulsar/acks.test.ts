// Acks and redelivery that exactly-once processing relies on, against the real broker (east):
// a cumulative ack inside a batch keeps the later messages of the batch, plain and in a
// committed transaction; Shared/Key_Shared refuse cumulative acks instead of the broker
// ignoring them; an aborted transaction's acks come back without duplicates; a redelivery on
// Exclusive restarts the stream exactly (consumer epoch); transactional sends keep call order.
import { describe, expect, it } from 'vitest';
import type { Consumer, ConsumerOptions, Message, PulsarClient } from '../../platform/pulsar/index.ts';
import { clientsClosedAfterAll, topicName } from './helpers.ts';

const client = clientsClosedAfterAll();
const values = (ms: readonly Message[]) => ms.map((m) => m.value.toString());
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `m-${from + i}`);

/** Every message until none arrives for `quietMs` (after the first `expected` have come). */
async function drain(consumer: Consumer, expected: number, quietMs = 2_000): Promise<Message[]> {
  const out: Message[] = [];
  for (;;) {
    const m = await consumer.receive(out.length < expected ? 20_000 : quietMs).catch((err: { code?: string }) => {
      if (err.code === 'Timeout' && out.length >= expected) return null;
      throw err;
    });
    if (!m) return out;
    out.push(m);
  }
}

/** One batch entry of `n` messages m-0 … m-(n-1). */
async function produceOneBatch(c: PulsarClient, topic: string, n: number): Promise<void> {
  const producer = await c.createProducer({ topic, batching: { maxMessages: n, maxDelayMs: 5_000 } });
  const ids = await Promise.all(range(0, n).map((value) => producer.send({ value })));
  expect(new Set(ids.map((id) => `${id.ledgerId}:${id.entryId}`)).size).toBe(1);
  await producer.close();
}

describe('cumulative ack inside a batch', () => {
  const options = (topic: string): ConsumerOptions => ({ topic, subscription: 'sub', initialPosition: 'Earliest', ackGroupingMs: 0 });

  /** Batch of 10, `ack` of index 4, re-subscribe: exactly indexes 5..9 come back. */
  async function ackFifthOfTen(name: string, ack: (c: PulsarClient, consumer: Consumer, m: Message) => Promise<void>) {
    const c = client();
    const topic = topicName(name);
    await (await c.subscribe(options(topic))).close();
    await produceOneBatch(c, topic, 10);
    const consumer = await c.subscribe(options(topic));
    const got = await drain(consumer, 10);
    expect(values(got)).toEqual(range(0, 10));
    expect(got[4]!.id).toMatchObject({ batchIndex: 4, batchSize: 10 });
    await ack(c, consumer, got[4]!);
    await consumer.close();

    const again = await c.subscribe(options(topic));
    const back = await drain(again, 5);
    expect(values(back)).toEqual(range(5, 10));
    expect(back.map((m) => m.id.batchIndex)).toEqual([5, 6, 7, 8, 9]);
    await again.close();
  }

  it('acks indexes 0..4 of a batch of 10 and keeps 5..9', async () => {
    await ackFifthOfTen('cumulative-batch', async (_c, consumer, m) => consumer.ackCumulative(m));
  });

  it('in a committed transaction, acks indexes 0..4 of a batch of 10 and keeps 5..9', async () => {
    await ackFifthOfTen('cumulative-batch-txn', async (c, consumer, m) => {
      const txn = await c.newTransaction({ timeoutMs: 30_000 });
      await consumer.ackWithTxn(m, txn, { cumulative: true });
      await txn.commit();
    });
  });
});

describe('cumulative ack on Shared and Key_Shared', () => {
  for (const type of ['Shared', 'KeyShared'] as const) {
    it(`is refused on ${type}, plain and transactional, and the transaction cannot commit without it`, async () => {
      const c = client();
      const topic = topicName(`cumulative-${type}`);
      const consumer = await c.subscribe({ topic, subscription: 'sub', type, initialPosition: 'Earliest', ackGroupingMs: 0 });
      const producer = await c.createProducer({ topic, batching: false });
      await producer.send({ value: 'a', key: 'k' });
      const m = await consumer.receive(20_000);
      let plain: unknown;
      try {
        consumer.ackCumulative(m);
      } catch (err) {
        plain = err;
      }
      expect(plain).toMatchObject({ name: 'PulsarError', code: 'CumulativeAckNotAllowed', retriable: false });
      expect(String((plain as Error).message)).toContain(type);

      const txn = await c.newTransaction({ timeoutMs: 30_000 });
      await expect(consumer.ackWithTxn(m, txn, { cumulative: true })).rejects.toMatchObject({ code: 'CumulativeAckNotAllowed' });
      await expect(txn.commit()).rejects.toMatchObject({ code: 'TransactionState' });
      expect(txn.state).toBe('ABORTED');
      // Nothing was acked: a new consumer of the subscription gets the message again.
      await consumer.close();
      const again = await c.subscribe({ topic, subscription: 'sub', type, initialPosition: 'Earliest' });
      expect(values(await drain(again, 1))).toEqual(['a']);
      await again.close();
    });
  }
});

describe('aborted transactions', () => {
  it('Exclusive, cumulative ack: after the abort the whole stream comes back once, in order', async () => {
    const c = client();
    const topic = topicName('abort-cumulative');
    const consumer = await c.subscribe({ topic, subscription: 'sub', initialPosition: 'Earliest', ackGroupingMs: 0 });
    const producer = await c.createProducer({ topic, batching: false });
    for (const value of range(0, 20)) await producer.send({ value });
    const first = [await consumer.receive(20_000), await consumer.receive(20_000), await consumer.receive(20_000)];
    expect(values(first)).toEqual(range(0, 3));
    // The rest (m-3 …) is queued in the client by now; the abort must not deliver it twice.
    const txn = await c.newTransaction({ timeoutMs: 30_000 });
    await consumer.ackWithTxn(first[2]!, txn, { cumulative: true });
    await txn.abort();
    const after = await drain(consumer, 20);
    expect(values(after)).toEqual(range(0, 20));

    const done = await c.newTransaction({ timeoutMs: 30_000 });
    await consumer.ackWithTxn(after[19]!, done, { cumulative: true });
    await done.commit();
    await consumer.close();
    const again = await c.subscribe({ topic, subscription: 'sub', initialPosition: 'Earliest' });
    expect(values(await drain(again, 0))).toEqual([]);
    await again.close();
  });

  it('Exclusive, individual acks: the aborted acks are redelivered and nothing comes twice', async () => {
    const c = client();
    const topic = topicName('abort-individual');
    const consumer = await c.subscribe({ topic, subscription: 'sub', initialPosition: 'Earliest', ackGroupingMs: 0 });
    const producer = await c.createProducer({ topic, batching: false });
    for (const value of range(0, 10)) await producer.send({ value });
    const first = [await consumer.receive(20_000), await consumer.receive(20_000)];
    const txn = await c.newTransaction({ timeoutMs: 30_000 });
    await consumer.ackWithTxn(first, txn);
    await txn.abort();
    // Exclusive cannot redeliver single messages in order, so the broker rewinds: everything again.
    expect(values(await drain(consumer, 10))).toEqual(range(0, 10));
    await consumer.close();
  });
});

describe('redelivery on Exclusive (consumer epoch)', () => {
  it('restarts the stream at the first unacked message: nothing sent before the redelivery arrives after it', async () => {
    const c = client();
    const topic = topicName('epoch');
    const producer = await c.createProducer({ topic, batching: false, maxPendingMessages: 2_000 });
    const payload = 'x'.repeat(1_000);
    await (await c.subscribe({ topic, subscription: 'sub' })).close();
    await Promise.all(range(0, 1_500).map((value) => producer.send({ value, properties: { pad: payload } })));
    const consumer = await c.subscribe({ topic, subscription: 'sub', receiverQueueSize: 1_000 });
    // Redeliver while the broker is still pushing the first 1,000 (about 1 MB): what is on the
    // wire then was sent before the redelivery and must not reach the application.
    expect((await consumer.receive(20_000)).value.toString()).toBe('m-0');
    consumer.redeliverUnacknowledged();
    const got: string[] = [];
    for (let i = 0; i < 100; i++) got.push((await consumer.receive(60_000)).value.toString());
    // Before the epoch, messages already on the wire came first (m-150 …, then m-0 again).
    expect(got).toEqual(range(0, 100));
    // Only the head of the stream is asserted on the real broker. Past it, the 4.0.8 broker was
    // seen to interleave two read chains after a rewind (chunks of 100 entries: 0-99, 200-299,
    // 100-199, …) and, in one CI run under load, to stop dispatching part of the stream until the
    // next redelivery; no client-side epoch check can tell those apart, so order and completeness
    // after a rewind are covered by the fake-broker tests (consumer/acks-redelivery.test.ts).
    await consumer.close();
  });
});

describe('transactional sends', () => {
  it('keep call order: a send waiting for its partition registration is not overtaken', async () => {
    const c = client();
    const topic = topicName('txn-send-order');
    const producer = await c.createProducer({ topic, batching: false, transactional: true, sendTimeoutMs: 0 });
    const consumer = await c.subscribe({ topic, subscription: 'sub', initialPosition: 'Earliest' });
    const registered = await c.newTransaction({ timeoutMs: 30_000 });
    await producer.send({ value: 'zero' }, { txn: registered });
    // `fresh` registers the partition with its coordinator on its first send (a round trip);
    // `registered` already has: the second call must still come second.
    const fresh = await c.newTransaction({ timeoutMs: 30_000 });
    const first = producer.send({ value: 'first' }, { txn: fresh });
    const second = producer.send({ value: 'second' }, { txn: registered });
    const [a, b] = await Promise.all([first, second]);
    expect(a.compare(b)).toBeLessThan(0);
    await fresh.commit();
    await registered.commit();
    expect(values(await drain(consumer, 3))).toEqual(['zero', 'first', 'second']);
    await consumer.close();
  });
});
