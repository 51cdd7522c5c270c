// Sequence ids follow call order, against a scripted fake broker on 127.0.0.1: a transactional
// send waiting for its partition registration is not overtaken by a later send, and a send
// waiting for room in a full queue is not overtaken either.
import { afterEach, describe, expect, it } from 'vitest';
import { PulsarClient } from '../client.ts';
import { CommandType } from '../protocol/index.ts';
import { idOf, receiptFor, scriptedBroker, type ScriptedBroker } from '../testing/scripted-broker.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => { for (const c of cleanup.splice(0).reverse()) await c(); });

/** The values of the SEND frames in wire order, with their sequence ids. */
const sends = (broker: ScriptedBroker) => broker.received.filter((r) => r.cmd.type === CommandType.SEND).map((r) => idOf(r.cmd.send!.sequenceId));

describe('send order', () => {
  it('gives a transactional send waiting for its partition registration a lower id than a later send', async () => {
    const broker = await scriptedBroker((cmd, reply) => {
      if (cmd.type === CommandType.NEW_TXN) reply({ type: CommandType.NEW_TXN_RESPONSE, newTxnResponse: { requestId: cmd.newTxn!.requestId, txnidMostBits: 0, txnidLeastBits: 1 } });
      else if (cmd.type === CommandType.ADD_PARTITION_TO_TXN) {
        setTimeout(() => reply({ type: CommandType.ADD_PARTITION_TO_TXN_RESPONSE, addPartitionToTxnResponse: { requestId: cmd.addPartitionToTxn!.requestId } }), 100);
      } else if (cmd.type === CommandType.SEND) reply(receiptFor(cmd));
      else return false;
      return true;
    });
    cleanup.push(() => broker.close());
    const client = new PulsarClient({ serviceUrl: broker.url });
    cleanup.push(() => client.close());
    const producer = await client.createProducer({ topic: 'persistent://t/n/order', batching: false, transactional: true, sendTimeoutMs: 0 });
    const txn = await client.newTransaction();
    const first = producer.send({ value: 'first' }, { txn });
    const second = producer.send({ value: 'second' });
    const third = producer.send({ value: 'third' }, { txn });
    const ids = await Promise.all([first, second, third]);
    expect(ids.map((id) => Number(id.entryId))).toEqual([0, 1, 2]);
    expect(sends(broker)).toEqual([0, 1, 2]);
  });

  it('keeps call order behind a full queue', async () => {
    let acking = false;
    const held: (() => void)[] = [];
    const broker = await scriptedBroker((cmd, reply) => {
      if (cmd.type !== CommandType.SEND) return false;
      if (acking) reply(receiptFor(cmd));
      else held.push(() => reply(receiptFor(cmd)));
      return true;
    });
    cleanup.push(() => broker.close());
    const client = new PulsarClient({ serviceUrl: broker.url });
    cleanup.push(() => client.close());
    const producer = await client.createProducer({ topic: 'persistent://t/n/full', batching: false, maxPendingMessages: 2, sendTimeoutMs: 0 });
    const results = Array.from({ length: 6 }, (_, i) => producer.send({ value: `m-${i}` }));
    await expect.poll(() => sends(broker)).toEqual([0, 1]);
    acking = true;
    held.splice(0).forEach((r) => r());
    const ids = await Promise.all(results);
    expect(ids.map((id) => Number(id.entryId))).toEqual([0, 1, 2, 3, 4, 5]);
    expect(sends(broker)).toEqual([0, 1, 2, 3, 4, 5]);
  });
});
