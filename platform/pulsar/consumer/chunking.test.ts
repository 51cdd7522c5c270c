// Chunking end to end through a scripted broker that stores what the producer sends and hands it
// to the consumer: a message over chunkMaxMessageSize goes out as chunks (is_chunk, shared
// sequence id) and comes back whole with a ChunkMessageId; a chunk set with a chunk taken out
// arrives as one message with error ChunkedMessageInvalid, and the messages around it arrive
// intact; acking each message acks every chunk entry.
import { afterEach, describe, expect, it } from 'vitest';
import { PulsarClient } from '../client.ts';
import { ChunkMessageId } from '../message/index.ts';
import { CommandType, toBigInt, type MessageMetadata } from '../protocol/index.ts';
import { startScriptedBroker } from '../testing/handler-broker.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => { for (const c of cleanup.splice(0).reverse()) await c(); });

describe('chunked messages through the client', () => {
  it('chunks on send, reassembles on receive, and turns a set missing a chunk into one error among intact messages', async () => {
    const stored: { metadata: MessageMetadata; payload: Uint8Array }[] = [];
    const isChunk: boolean[] = [];
    const acked: number[] = [];
    const broker = await startScriptedBroker((cmd, connection, payload) => {
      if (cmd.type === CommandType.SEND) {
        isChunk.push(cmd.send!.isChunk === true);
        const entryId = stored.push({ metadata: payload!.metadata!, payload: Buffer.from(payload!.payload) }) - 1;
        connection.reply({ type: CommandType.SEND_RECEIPT, sendReceipt: { producerId: cmd.send!.producerId, sequenceId: cmd.send!.sequenceId, messageId: { ledgerId: 1, entryId } } });
        return true;
      }
      if (cmd.type === CommandType.ACK) acked.push(...cmd.ack!.messageId.map((m) => Number(toBigInt(m.entryId))));
      return false;
    });
    cleanup.push(() => broker.close());
    const client = new PulsarClient({ serviceUrl: broker.url });
    cleanup.push(() => client.close());
    const producer = await client.createProducer({ topic: 'persistent://t/n/chunks', batching: false, chunking: true, chunkMaxMessageSize: 1024 });
    const big = (seed: number) => Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * seed) & 0xff));
    const ids = [];
    for (const value of [Buffer.from('first'), big(7), big(11), Buffer.from('last')]) ids.push(await producer.send({ value }));
    expect(ids[1]).toBeInstanceOf(ChunkMessageId);
    const chunks = stored.filter((e) => (e.metadata.numChunksFromMsg ?? 0) > 1);
    expect(chunks.length).toBeGreaterThanOrEqual(10);
    const sixChunks = [0, 1, 2, 3, 4, 5];
    expect(stored.map((e) => ((e.metadata.numChunksFromMsg ?? 0) > 1 ? e.metadata.chunkId : -1))).toEqual([-1, ...sixChunks, ...sixChunks, -1]);
    expect(isChunk).toEqual([false, ...sixChunks.map(() => true), ...sixChunks.map(() => true), false]);
    expect(new Set(chunks.slice(0, 6).map((e) => String(toBigInt(e.metadata.sequenceId))))).toEqual(new Set(['1']));
    expect((ids[1] as ChunkMessageId).firstChunkId.entryId).toBe(1n);
    expect(ids[1]!.entryId).toBe(6n);

    // Deliver everything but the third chunk of the second big message (entry 9).
    const consumer = await client.subscribe({ topic: 'persistent://t/n/chunks', subscription: 's', ackGroupingMs: 0 });
    const [connection] = broker.connections.slice(-1);
    const consumerId = toBigInt(broker.commands(CommandType.SUBSCRIBE)[0]!.subscribe!.consumerId);
    stored.forEach((e, entryId) => { if (entryId !== 9) connection!.message(consumerId, { entryId }, e.metadata, e.payload); });
    const got = [];
    for (let i = 0; i < 4; i++) got.push(await consumer.receive(5_000));
    expect(got.map((m) => m.error?.code)).toEqual([undefined, undefined, 'ChunkedMessageInvalid', undefined]);
    expect(got[0]!.value.toString()).toBe('first');
    expect(got[1]!.value.equals(big(7))).toBe(true);
    expect(got[1]!.id.equals(ids[1]!)).toBe(true);
    expect(got[2]!.value.length).toBe(0);
    expect(got[3]!.value.toString()).toBe('last');
    for (const m of got) consumer.ack(m);
    for (let i = 0; i < 100 && acked.length < 13; i++) await new Promise((r) => setTimeout(r, 10));
    expect(acked.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13]);
  });
});
