import { afterAll, describe, expect, it } from 'vitest';
import { PulsarClient, TransactionState, type Message } from '../../platform/pulsar/index.ts';
import { clientFor, topicName } from './helpers.ts';

const clients: PulsarClient[] = [];
afterAll(async () => { await Promise.all(clients.map((c) => c.close())); });

describe('transactions against the real broker', () => {
  it('makes committed writes visible and aborted ones invisible, and redelivers acks of an aborted txn', async () => {
    const c = clientFor('east');
    clients.push(c);
    const input = topicName('txn-in');
    const output = topicName('txn-out');
    const inProducer = await c.createProducer({ topic: input, batching: false });
    const outProducer = await c.createProducer({ topic: output, batching: false, transactional: true, sendTimeoutMs: 0 });
    const inConsumer = await c.subscribe({ topic: input, subscription: 'copier', type: 'Shared', initialPosition: 'Earliest' });
    const outConsumer = await c.subscribe({ topic: output, subscription: 'check', initialPosition: 'Earliest' });
    await inProducer.send({ value: 'a' });
    await inProducer.send({ value: 'b' });

    // Aborted: the output never appears and the input comes back.
    const first = await inConsumer.receive(20_000);
    const aborted = await c.newTransaction({ timeoutMs: 30_000 });
    await outProducer.send({ value: `copy-${first.value}-aborted` }, { txn: aborted });
    await inConsumer.ackWithTxn(first, aborted);
    await aborted.abort();
    expect(aborted.state).toBe(TransactionState.Aborted);

    // Committed: copy both inputs.
    const seen = new Set<string>();
    while (seen.size < 2) {
      const m = await inConsumer.receive(20_000);
      const txn = await c.newTransaction();
      await outProducer.send({ value: `copy-${m.value}` }, { txn });
      await inConsumer.ackWithTxn(m, txn);
      await txn.commit();
      expect(txn.state).toBe(TransactionState.Committed);
      seen.add(m.value.toString());
    }
    const out = [(await outConsumer.receive(20_000)).value.toString(), (await outConsumer.receive(20_000)).value.toString()];
    expect(out.sort()).toEqual(['copy-a', 'copy-b']);
    await expect(outConsumer.receive(2_000)).rejects.toMatchObject({ code: 'Timeout' });
  });

  it('acks many messages in one transactional request, with ack sets for parts of batch entries', async () => {
    const c = clientFor('east');
    clients.push(c);
    const topic = topicName('txn-batch-ack');
    // Batching on: messages share broker entries, so acking every other one needs ack sets.
    const producer = await c.createProducer({ topic, batching: { maxMessages: 4, maxDelayMs: 50 } });
    const values = Array.from({ length: 10 }, (_, i) => `m-${i}`);
    await Promise.all(values.map((value) => producer.send({ value })));
    const subscribe = () => c.subscribe({ topic, subscription: 'batch', type: 'Shared', initialPosition: 'Earliest' });
    const consumer = await subscribe();
    const receiveDistinct = async (count: number) => {
      const got = new Map<string, Message>();
      while (got.size < count) {
        const m = await consumer.receive(20_000);
        got.set(m.value.toString(), m);
      }
      return [...got.values()];
    };
    const all = await receiveDistinct(values.length);
    expect(all.some((m) => m.id.batchIndex >= 0 && m.id.batchSize > 1)).toBe(true);
    const even = all.filter((m) => Number(m.value.toString().slice(2)) % 2 === 0);
    const odd = all.filter((m) => !even.includes(m));

    const evenTxn = await c.newTransaction({ timeoutMs: 30_000 });
    await consumer.ackWithTxn(even, evenTxn);
    await evenTxn.commit();
    // Aborted: the broker redelivers exactly the messages this transaction acked.
    const oddTxn = await c.newTransaction({ timeoutMs: 30_000 });
    await consumer.ackWithTxn(odd, oddTxn);
    await oddTxn.abort();
    const back = await receiveDistinct(odd.length);
    expect(back.map((m) => m.value.toString()).sort()).toEqual(odd.map((m) => m.value.toString()).sort());

    const lastTxn = await c.newTransaction({ timeoutMs: 30_000 });
    await consumer.ackWithTxn(back, lastTxn);
    await lastTxn.commit();
    // Nothing is left on the subscription: a new consumer on it receives nothing.
    await consumer.close();
    const fresh = await subscribe();
    await expect(fresh.receive(3_000)).rejects.toMatchObject({ code: 'Timeout' });
  });
});
