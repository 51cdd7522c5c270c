import { afterEach, describe, expect, it } from 'vitest';
import {
  CommandType, FrameParser, encodePayloadFrame, encodeMetadata, encodeSimpleFrame, toBigInt, type BaseCommand, type Frame,
} from '../protocol/index.ts';
import { PulsarClient } from '../index.ts';
import { FAKE_BROKER_VERSION, FakeBrokerSession, emptyStats, startFakeBroker, type FakeBroker } from './fake-pulsar-broker.ts';

/** A session with a parser on its output, fed whole frames or in chunks of `split` bytes. */
function session(delivery?: { batchSize: number; payloadBytes: number }) {
  const out = new FrameParser();
  const received: Frame[] = [];
  const closed: Error[] = [];
  const stats = emptyStats();
  const s = new FakeBrokerSession({
    write: (bytes) => received.push(...out.push(bytes)),
    close: (reason) => closed.push(reason),
    advertisedUrl: 'pulsar://127.0.0.1:1',
    delivery,
    stats,
  });
  const feed = (cmds: Buffer[], split = Infinity) => {
    const all = Buffer.concat(cmds);
    for (let i = 0; i < all.length; i += split) s.push(all.subarray(i, Math.min(all.length, i + split)));
  };
  return { s, received, closed, stats, feed };
}

const frame = (cmd: BaseCommand) => encodeSimpleFrame(cmd);
const CONNECT = frame({ type: CommandType.CONNECT, connect: { clientVersion: 'test', protocolVersion: 21 } });

describe('FakeBrokerSession', () => {
  for (const split of [Infinity, 1, 7]) {
    it(`answers the handshake, lookups and a producer, fed in chunks of ${split}`, () => {
      const { received, closed, feed } = session();
      feed([
        CONNECT,
        frame({ type: CommandType.PING, ping: {} }),
        frame({ type: CommandType.LOOKUP, lookupTopic: { topic: 't', requestId: 1 } }),
        frame({ type: CommandType.PARTITIONED_METADATA, partitionMetadata: { topic: 't', requestId: 2 } }),
        frame({ type: CommandType.PRODUCER, producer: { topic: 't', producerId: 5, requestId: 3 } }),
      ], split);
      expect(closed).toEqual([]);
      expect(received.map((f) => f.command.type)).toEqual([
        CommandType.CONNECTED, CommandType.PONG, CommandType.LOOKUP_RESPONSE, CommandType.PARTITIONED_METADATA_RESPONSE, CommandType.PRODUCER_SUCCESS,
      ]);
      const [connected, , lookup, partitions, producer] = received.map((f) => f.command);
      expect(connected!.connected).toMatchObject({ serverVersion: FAKE_BROKER_VERSION, protocolVersion: 20 });
      expect(lookup!.lookupTopicResponse).toMatchObject({ response: 1, brokerServiceUrl: 'pulsar://127.0.0.1:1', authoritative: true });
      expect(toBigInt(lookup!.lookupTopicResponse!.requestId)).toBe(1n);
      expect(partitions!.partitionMetadataResponse!.partitions).toBe(0);
      expect(producer!.producerSuccess!.producerName).toBe('fake-5');
      expect(toBigInt(producer!.producerSuccess!.lastSequenceId, true)).toBe(-1n);
    });
  }

  it('acknowledges a batched SEND with its sequence ids', () => {
    const { received, stats, feed } = session();
    const send = encodePayloadFrame(
      { type: CommandType.SEND, send: { producerId: 5, sequenceId: 10, numMessages: 3, highestSequenceId: 12 } },
      encodeMetadata({ producerName: 'p', sequenceId: 10, publishTime: 1, numMessagesInBatch: 3 }),
      Buffer.alloc(30),
    );
    feed([CONNECT, send, send], 5);
    const receipts = received.filter((f) => f.command.type === CommandType.SEND_RECEIPT).map((f) => f.command.sendReceipt!);
    expect(receipts).toHaveLength(2);
    expect(toBigInt(receipts[0]!.producerId)).toBe(5n);
    expect(toBigInt(receipts[0]!.sequenceId)).toBe(10n);
    expect(toBigInt(receipts[0]!.highestSequenceId)).toBe(12n);
    expect(toBigInt(receipts[1]!.messageId!.entryId)).toBe(toBigInt(receipts[0]!.messageId!.entryId) + 1n);
    expect(stats).toMatchObject({ sendFrames: 2, messagesReceived: 6 });
  });

  it('delivers whole batch entries while the consumer has permits', () => {
    const { received, stats, feed } = session({ batchSize: 10, payloadBytes: 8 });
    feed([
      CONNECT,
      frame({ type: CommandType.SUBSCRIBE, subscribe: { topic: 't', subscription: 's', subType: 0, consumerId: 9, requestId: 4 } }),
      frame({ type: CommandType.FLOW, flow: { consumerId: 9, messagePermits: 25 } }),
    ]);
    const messages = received.filter((f) => f.command.type === CommandType.MESSAGE);
    expect(received[1]!.command.type).toBe(CommandType.SUCCESS);
    expect(messages).toHaveLength(3); // 25 permits: 10 + 10 + 10, the last entry overdraws
    expect(messages[0]!.payload!.metadata!.numMessagesInBatch).toBe(10);
    expect(messages[0]!.payload!.checksumValid).toBe(true);
    expect(toBigInt(messages[0]!.command.message!.consumerId)).toBe(9n);
    // 5 permits overdrawn: FLOW(4) delivers nothing, FLOW(2) one more entry.
    feed([frame({ type: CommandType.FLOW, flow: { consumerId: 9, messagePermits: 4 } })]);
    expect(stats.entriesDelivered).toBe(3);
    feed([frame({ type: CommandType.FLOW, flow: { consumerId: 9, messagePermits: 2 } })]);
    expect(stats).toMatchObject({ entriesDelivered: 4, messagesDelivered: 40 });
    feed([frame({ type: CommandType.ACK, ack: { consumerId: 9, ackType: 0, messageId: [{ ledgerId: 2, entryId: 0 }] } })]);
    expect(stats.ackCommands).toBe(1);
  });

  it('answers a command it does not speak with ERROR for that request', () => {
    const { received, stats, feed } = session();
    feed([CONNECT, frame({ type: CommandType.NEW_TXN, newTxn: { requestId: 77, tcId: 0 } })]);
    const err = received.at(-1)!.command;
    expect(err.type).toBe(CommandType.ERROR);
    expect(toBigInt(err.error!.requestId)).toBe(77n);
    expect(err.error!.message).toMatch(/does not support command 50/);
    expect(stats.unsupported).toBe(1);
  });

  it('closes the connection on a malformed frame or a command before CONNECT', () => {
    const bad = session();
    bad.feed([Buffer.from([0, 0, 0, 2, 0, 0])]);
    expect(bad.closed).toHaveLength(1);
    expect(bad.s.closed).toBe(true);
    bad.feed([CONNECT]);
    expect(bad.received).toEqual([]);

    const early = session();
    early.feed([frame({ type: CommandType.PING, ping: {} })]);
    expect(early.closed[0]!.message).toMatch(/before CONNECT/);
  });
});

describe('startFakeBroker', () => {
  let broker: FakeBroker | undefined;
  let client: PulsarClient | undefined;
  afterEach(async () => {
    await client?.close();
    await broker?.close();
  });

  it('serves our client: produce with batching, then consume and ack', async () => {
    broker = await startFakeBroker({ delivery: { batchSize: 5, payloadBytes: 16 } });
    client = new PulsarClient({ serviceUrl: broker.url, operationTimeoutMs: 5_000 });
    const producer = await client.createProducer({ topic: 'persistent://public/default/fake', batching: { maxDelayMs: 1 } });
    const ids = await Promise.all(Array.from({ length: 20 }, (_, i) => producer.send({ value: `m${i}` })));
    expect(ids).toHaveLength(20);
    expect(broker.stats.messagesReceived).toBe(20);
    const consumer = await client.subscribe({ topic: 'persistent://public/default/fake', subscription: 's', receiverQueueSize: 10, ackGroupingMs: 0 });
    const batch = await consumer.receiveBatch({ maxMessages: 10, timeoutMs: 2_000 });
    expect(batch.length).toBeGreaterThan(0);
    expect(batch[0]!.value).toEqual(Buffer.alloc(16, 0x61));
    for (const m of batch) consumer.ack(m);
    await producer.close();
    await consumer.close();
    expect(broker.stats.ackCommands).toBeGreaterThan(0);
  });
});
