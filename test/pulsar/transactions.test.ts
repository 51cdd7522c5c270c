import { afterAll, describe, expect, it } from 'vitest';
import { PulsarClient, TransactionState } from '../../platform/pulsar/index.ts';
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
});
