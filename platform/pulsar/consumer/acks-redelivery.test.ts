// What the consumer puts on the wire for acks and redelivery, against a scripted fake broker on
// 127.0.0.1: cumulative acks inside a batch, refusal on Shared/Key_Shared, consumer epochs and
// stale messages, acks kept across a reconnect, transactional acks whose reply is lost, aborts,
// and entries redelivered with an ack set. The real-broker versions are in test/pulsar/acks.test.ts.
import { afterEach, describe, expect, it } from 'vitest';
import { PulsarClient } from '../client.ts';
import type { PublicConsumer as Consumer } from './index.ts';
import { CommandType, toBigInt, type BaseCommand } from '../protocol/index.ts';
import { idOf, messageFrame, scriptedBroker, type Script, type ScriptedBroker } from '../testing/scripted-broker.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => { for (const c of cleanup.splice(0).reverse()) await c(); });

async function setUp(script: Script, options: { backoffMs?: number } = {}) {
  const broker = await scriptedBroker(script);
  cleanup.push(() => broker.close());
  const client = new PulsarClient({ serviceUrl: broker.url, operationTimeoutMs: 2_000, backoff: { initialMs: options.backoffMs ?? 20, maxMs: 500 } });
  cleanup.push(() => client.close());
  return { broker, client };
}

const commands = (broker: ScriptedBroker, type: number) => broker.received.filter((r) => r.cmd.type === type);
const words = (ws: unknown[] | undefined) => (ws ?? []).map((w) => toBigInt(w as number, true));
const valuesOf = (ms: { value: Buffer }[]) => ms.map((m) => m.value.toString());

/** Answers the transaction commands a consumer's transactional ack needs. */
const txnScript: Script = (cmd, reply) => {
  if (cmd.type === CommandType.NEW_TXN) reply({ type: CommandType.NEW_TXN_RESPONSE, newTxnResponse: { requestId: cmd.newTxn!.requestId, txnidMostBits: 0, txnidLeastBits: 1 } });
  else if (cmd.type === CommandType.ADD_SUBSCRIPTION_TO_TXN) reply({ type: CommandType.ADD_SUBSCRIPTION_TO_TXN_RESPONSE, addSubscriptionToTxnResponse: { requestId: cmd.addSubscriptionToTxn!.requestId } });
  else if (cmd.type === CommandType.END_TXN) reply({ type: CommandType.END_TXN_RESPONSE, endTxnResponse: { requestId: cmd.endTxn!.requestId } });
  else if (cmd.type === CommandType.ACK && cmd.ack!.requestId !== undefined) {
    reply({ type: CommandType.ACK_RESPONSE, ackResponse: { consumerId: cmd.ack!.consumerId, requestId: cmd.ack!.requestId } });
  } else return false;
  return true;
};

/** On the first FLOW of connection 0, one batch entry (entry 0) of four messages. */
function oneBatchOnFirstFlow(more: Script = () => false): Script {
  let sent = false;
  return (cmd, reply, socket) => {
    if (cmd.type === CommandType.FLOW && !sent) {
      sent = true;
      socket.write(messageFrame(cmd.flow!.consumerId, 0, ['a', 'b', 'c', 'd']));
      return true;
    }
    return more(cmd, reply, socket);
  };
}

async function receiveN(consumer: Consumer, n: number) {
  const out = [];
  while (out.length < n) out.push(await consumer.receive(2_000));
  return out;
}

describe('cumulative ack inside a batch', () => {
  it('sends the entry with an ack set keeping the later indexes (plain)', async () => {
    const { broker, client } = await setUp(oneBatchOnFirstFlow());
    const consumer = await client.subscribe({ topic: 'persistent://t/n/cumulative', subscription: 's', ackGroupingMs: 0 });
    const got = await receiveN(consumer, 4);
    consumer.ackCumulative(got[1]!);
    await expect.poll(() => commands(broker, CommandType.ACK).length).toBe(1);
    const ack = commands(broker, CommandType.ACK)[0]!.cmd.ack!;
    expect(ack.ackType).toBe(1);
    expect(ack.messageId).toHaveLength(1);
    expect(idOf(ack.messageId[0]!.entryId)).toBe(0);
    expect(words(ack.messageId[0]!.ackSet)).toEqual([0b1100n]);
    expect(ack.messageId[0]!.batchSize).toBe(4);
    // The last index of a batch acks the entry whole.
    consumer.ackCumulative(got[3]!);
    await expect.poll(() => commands(broker, CommandType.ACK).length).toBe(2);
    expect(commands(broker, CommandType.ACK)[1]!.cmd.ack!.messageId[0]!.ackSet ?? []).toEqual([]);
  });

  it('clears every index up to the acked one in a transactional cumulative ack', async () => {
    const { broker, client } = await setUp(oneBatchOnFirstFlow(txnScript));
    const consumer = await client.subscribe({ topic: 'persistent://t/n/cumulative-txn', subscription: 's' });
    const got = await receiveN(consumer, 4);
    const txn = await client.newTransaction();
    await consumer.ackWithTxn(got[2]!, txn, { cumulative: true });
    await expect.poll(() => commands(broker, CommandType.ACK).length).toBe(1);
    const ack = commands(broker, CommandType.ACK)[0]!.cmd.ack!;
    expect(ack.ackType).toBe(1);
    expect(idOf(ack.txnidLeastBits)).toBe(1);
    expect(words(ack.messageId[0]!.ackSet)).toEqual([0b1000n]);
  });
});

describe('cumulative ack on Shared and Key_Shared', () => {
  for (const type of ['Shared', 'KeyShared'] as const) {
    it(`is refused on ${type} with CumulativeAckNotAllowed and nothing is sent`, async () => {
      const { broker, client } = await setUp(oneBatchOnFirstFlow(txnScript));
      const consumer = await client.subscribe({ topic: `persistent://t/n/cumulative-${type}`, subscription: 's', type, ackGroupingMs: 0 });
      const [m] = await receiveN(consumer, 1);
      expect(() => consumer.ackCumulative(m!)).toThrow(expect.objectContaining({ code: 'CumulativeAckNotAllowed', retriable: false }));
      const txn = await client.newTransaction();
      await expect(consumer.ackWithTxn(m!, txn, { cumulative: true })).rejects.toMatchObject({ code: 'CumulativeAckNotAllowed' });
      await expect(txn.commit()).rejects.toMatchObject({ code: 'TransactionState' });
      expect(commands(broker, CommandType.ACK)).toEqual([]);
    });
  }
});

describe('consumer epoch (Exclusive)', () => {
  it('stamps SUBSCRIBE and each redelivery, and drops what the broker sent before a redelivery', async () => {
    let consumerId: unknown;
    const { broker, client } = await setUp((cmd, _reply, socket) => {
      if (cmd.type === CommandType.FLOW && consumerId === undefined) {
        consumerId = cmd.flow!.consumerId;
        for (let e = 0; e < 3; e++) socket.write(messageFrame(consumerId, e, [`e${e}`], { consumerEpoch: 0 }));
        return true;
      }
      if (cmd.type === CommandType.REDELIVER_UNACKNOWLEDGED_MESSAGES) {
        const epoch = idOf(cmd.redeliverUnacknowledgedMessages!.consumerEpoch);
        // Still on the wire from before the redelivery: stamped with the old epoch.
        socket.write(messageFrame(consumerId, 3, ['stale'], { consumerEpoch: epoch - 1 }));
        for (let e = 0; e < 3; e++) socket.write(messageFrame(consumerId, e, [`e${e}`], { consumerEpoch: epoch, redeliveryCount: epoch }));
        return true;
      }
      return false;
    });
    const consumer = await client.subscribe({ topic: 'persistent://t/n/epoch', subscription: 's', nackRedeliveryDelayMs: 50 });
    expect(idOf(commands(broker, CommandType.SUBSCRIBE)[0]!.cmd.subscribe!.consumerEpoch)).toBe(0);
    const [first] = await receiveN(consumer, 1);
    consumer.redeliverUnacknowledged();
    expect(valuesOf(await receiveN(consumer, 3))).toEqual(['e0', 'e1', 'e2']);
    await expect(consumer.receive(300)).rejects.toMatchObject({ code: 'Timeout' });
    // A nack on Exclusive redelivers everything too, with the next epoch.
    consumer.nack(first!);
    const again = await receiveN(consumer, 3);
    expect(valuesOf(again)).toEqual(['e0', 'e1', 'e2']);
    expect(again[0]!.redeliveryCount).toBe(2);
    expect(commands(broker, CommandType.REDELIVER_UNACKNOWLEDGED_MESSAGES).map((r) => idOf(r.cmd.redeliverUnacknowledgedMessages!.consumerEpoch))).toEqual([1, 2]);
    await expect(consumer.receive(300)).rejects.toMatchObject({ code: 'Timeout' });
  });

  it('redelivers everything when a transaction holding its acks aborts', async () => {
    const { broker, client } = await setUp(oneBatchOnFirstFlow(txnScript));
    const consumer = await client.subscribe({ topic: 'persistent://t/n/abort', subscription: 's' });
    const got = await receiveN(consumer, 2);
    const txn = await client.newTransaction();
    await consumer.ackWithTxn(got[1]!, txn, { cumulative: true });
    await txn.abort();
    await expect.poll(() => commands(broker, CommandType.REDELIVER_UNACKNOWLEDGED_MESSAGES).length).toBe(1);
    const redeliveries = commands(broker, CommandType.REDELIVER_UNACKNOWLEDGED_MESSAGES);
    expect(idOf(redeliveries[0]!.cmd.redeliverUnacknowledgedMessages!.consumerEpoch)).toBe(1);
    // The two messages still queued from before the abort were cleared, not handed out.
    await expect(consumer.receive(300)).rejects.toMatchObject({ code: 'Timeout' });
  });
});

describe('acks across a reconnect', () => {
  it('keeps plain acks made while disconnected and sends them on the new connection, before FLOW', async () => {
    const { broker, client } = await setUp(oneBatchOnFirstFlow(), { backoffMs: 300 });
    const consumer = await client.subscribe({ topic: 'persistent://t/n/reconnect-acks', subscription: 's', ackGroupingMs: 0 });
    const got = await receiveN(consumer, 4);
    let closed = false;
    client.instrumentation.on('connection.close', () => { closed = true; });
    broker.sockets[0]!.destroy();
    await expect.poll(() => closed).toBe(true);
    for (const m of got) consumer.ack(m);
    await expect.poll(() => broker.received.filter((r) => r.conn === 1 && r.cmd.type === CommandType.FLOW).length, { timeout: 3_000 }).toBe(1);
    const onNew = broker.received.filter((r) => r.conn === 1).map((r) => r.cmd.type);
    expect(onNew.indexOf(CommandType.ACK)).toBeGreaterThan(onNew.indexOf(CommandType.SUBSCRIBE));
    expect(onNew.indexOf(CommandType.ACK)).toBeLessThan(onNew.indexOf(CommandType.FLOW));
    const ack = broker.received.find((r) => r.conn === 1 && r.cmd.type === CommandType.ACK)!.cmd.ack!;
    expect(ack.messageId.map((d) => idOf(d.entryId))).toEqual([0]);
    expect(commands(broker, CommandType.ACK).every((r) => r.conn === 1)).toBe(true);
  });

  it('fails a transactional ack whose connection drops before the reply with AckOutcomeUnknown', async () => {
    const { client } = await setUp(oneBatchOnFirstFlow((cmd, reply, socket) => {
      if (cmd.type === CommandType.ACK) { socket.destroy(); return true; }
      return txnScript(cmd, reply, socket);
    }));
    const consumer = await client.subscribe({ topic: 'persistent://t/n/txn-ack-lost', subscription: 's' });
    const [m] = await receiveN(consumer, 1);
    const txn = await client.newTransaction();
    await expect(consumer.ackWithTxn(m!, txn)).rejects.toMatchObject({ code: 'AckOutcomeUnknown', retriable: false });
  });
});

describe('an entry redelivered with an ack set', () => {
  it('is acked whole once the indexes the broker left are acked, without batch-index acks', async () => {
    const { broker, client } = await setUp((cmd, _reply, socket) => {
      if (cmd.type !== CommandType.FLOW) return false;
      // Indexes 0 and 1 were acked before (ack set: bits set = still unacked).
      socket.write(messageFrame(cmd.flow!.consumerId, 7, ['a', 'b', 'c', 'd'], { ackSet: [0b1100] }));
      return true;
    });
    const consumer = await client.subscribe({ topic: 'persistent://t/n/ack-set', subscription: 's', type: 'Shared', ackGroupingMs: 0 });
    const got = await receiveN(consumer, 2);
    expect(valuesOf(got)).toEqual(['c', 'd']);
    for (const m of got) consumer.ack(m);
    await expect.poll(() => commands(broker, CommandType.ACK).length).toBe(1);
    const data = (commands(broker, CommandType.ACK)[0]!.cmd as BaseCommand).ack!.messageId[0]!;
    expect(idOf(data.entryId)).toBe(7);
    expect(data.ackSet ?? []).toEqual([]);
  });
});

describe('bad input in ack sets and epochs', () => {
  it('takes an oversized or all-acked ack set and a huge epoch without losing the messages around them', async () => {
    const { broker, client } = await setUp((cmd, _reply, socket) => {
      if (cmd.type !== CommandType.FLOW) return false;
      const id = cmd.flow!.consumerId;
      const huge = { low: -1, high: -1, unsigned: true };
      socket.write(Buffer.concat([
        messageFrame(id, 0, ['before']),
        // Every index acked, in far more words than the batch needs: nothing to deliver.
        messageFrame(id, 1, ['x', 'y'], { ackSet: Array.from({ length: 1_000 }, () => 0) }),
        // Words with bits past the batch: only the batch's own indexes count.
        messageFrame(id, 2, ['p', 'q', 'r'], { ackSet: [-1, -1] }),
        // An epoch far above ours is not stale.
        messageFrame(id, 3, ['future'], { consumerEpoch: huge as unknown as number }),
        messageFrame(id, 4, ['after']),
      ]));
      return true;
    });
    const consumer = await client.subscribe({ topic: 'persistent://t/n/bad-ack-set', subscription: 's', ackGroupingMs: 0 });
    expect(valuesOf(await receiveN(consumer, 6))).toEqual(['before', 'p', 'q', 'r', 'future', 'after']);
    await expect(consumer.receive(300)).rejects.toMatchObject({ code: 'Timeout' });
    expect(broker.sockets).toHaveLength(1); // the connection was not dropped
  });
});

describe('redeliverUnacknowledged on Shared', () => {
  it('asks the broker for everything unacked and clears what was queued', async () => {
    let sent = false;
    const { broker, client } = await setUp((cmd, _reply, socket) => {
      if (cmd.type === CommandType.FLOW && !sent) {
        sent = true;
        // One write, so all three are queued in the client before the first is received.
        socket.write(Buffer.concat([0, 1, 2].map((e) => messageFrame(cmd.flow!.consumerId, e, [`e${e}`]))));
        return true;
      }
      if (cmd.type === CommandType.REDELIVER_UNACKNOWLEDGED_MESSAGES) {
        for (let e = 0; e < 3; e++) socket.write(messageFrame(cmd.redeliverUnacknowledgedMessages!.consumerId, e, [`e${e}`], { redeliveryCount: 1 }));
        return true;
      }
      return false;
    });
    const consumer = await client.subscribe({ topic: 'persistent://t/n/shared-redeliver', subscription: 's', type: 'Shared' });
    await receiveN(consumer, 1);
    consumer.redeliverUnacknowledged();
    const again = await receiveN(consumer, 3);
    expect(valuesOf(again)).toEqual(['e0', 'e1', 'e2']);
    expect(again.every((m) => m.redeliveryCount === 1)).toBe(true);
    const redeliver = commands(broker, CommandType.REDELIVER_UNACKNOWLEDGED_MESSAGES)[0]!.cmd.redeliverUnacknowledgedMessages!;
    expect(redeliver.messageIds ?? []).toEqual([]);
    await expect(consumer.receive(300)).rejects.toMatchObject({ code: 'Timeout' });
  });
});
