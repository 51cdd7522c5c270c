// Bad input from the server, against an in-process fake broker on 127.0.0.1 (the real broker
// never sends such bytes): a message that cannot be checked, decompressed or split reaches the
// application as a message with `error` set, in its place among good ones; a malformed frame
// closes that connection with a typed error and the consumer reconnects (README.md, "Bad input").
import { createServer, type Server, type Socket } from 'node:net';
import { deflateSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { PulsarClient } from '../client.ts';
import type { Logger } from '../instrumentation.ts';
import {
  CommandType, CompressionType, encodeBatch, encodeCommand, encodeMetadata, encodePayloadFrame, encodeSimpleFrame, FrameParser, toBigInt, toLong,
  type BaseCommand, type MessageMetadata,
} from '../protocol/index.ts';

interface FakeBroker {
  url: string;
  connections: number;
  acks: bigint[];
  close(): Promise<void>;
}

/** Answers the handshake, lookups and subscribes; `onFlow` decides what each connection gets. */
async function fakeBroker(onFlow: (socket: Socket, connection: number, consumerId: bigint) => void): Promise<FakeBroker> {
  const sockets = new Set<Socket>();
  const state = { connections: 0, acks: [] as bigint[] };
  let url = '';
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const connection = ++state.connections;
    const parser = new FrameParser();
    let flowed = false;
    const reply = (cmd: BaseCommand) => socket.write(encodeSimpleFrame(cmd));
    socket.on('data', (chunk) => {
      for (const { command: c } of parser.push(chunk)) {
        switch (c.type) {
          case CommandType.CONNECT:
            reply({ type: CommandType.CONNECTED, connected: { serverVersion: 'fake', protocolVersion: 20, maxMessageSize: 5 * 1024 * 1024 } });
            break;
          case CommandType.PARTITIONED_METADATA:
            reply({ type: CommandType.PARTITIONED_METADATA_RESPONSE, partitionMetadataResponse: { requestId: c.partitionMetadata!.requestId, partitions: 0, response: 0 } });
            break;
          case CommandType.LOOKUP:
            reply({ type: CommandType.LOOKUP_RESPONSE, lookupTopicResponse: { requestId: c.lookupTopic!.requestId, brokerServiceUrl: url, response: 1, authoritative: true } });
            break;
          case CommandType.SUBSCRIBE:
            reply({ type: CommandType.SUCCESS, success: { requestId: c.subscribe!.requestId } });
            break;
          case CommandType.CLOSE_CONSUMER:
            reply({ type: CommandType.SUCCESS, success: { requestId: c.closeConsumer!.requestId } });
            break;
          case CommandType.PING:
            reply({ type: CommandType.PONG, pong: {} });
            break;
          case CommandType.ACK:
            for (const id of c.ack!.messageId) state.acks.push(toBigInt(id.entryId));
            break;
          case CommandType.FLOW:
            if (!flowed) onFlow(socket, connection, toBigInt(c.flow!.consumerId));
            flowed = true;
            break;
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  url = `pulsar://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    url,
    get connections() { return state.connections; },
    acks: state.acks,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const metadata = (sequenceId: number, extra: Partial<MessageMetadata> = {}): MessageMetadata => ({
  producerName: 'fake', sequenceId: toLong(BigInt(sequenceId)), publishTime: toLong(1_000n), ...extra,
});

function messageFrame(consumerId: bigint, entryId: number, md: MessageMetadata, payload: Uint8Array): Buffer {
  return encodePayloadFrame(
    { type: CommandType.MESSAGE, message: { consumerId: toLong(consumerId), messageId: { ledgerId: toLong(7n), entryId: toLong(BigInt(entryId)) } } },
    encodeMetadata(md), payload,
  );
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => { for (const f of cleanup.splice(0).reverse()) await f(); });

async function clientOf(broker: FakeBroker, logger?: Logger): Promise<PulsarClient> {
  const client = new PulsarClient({ serviceUrl: broker.url, operationTimeoutMs: 2_000, backoff: { initialMs: 10, maxMs: 50 }, ...(logger ? { logger } : {}) });
  cleanup.push(() => client.close());
  return client;
}

describe('bad input from the server', () => {
  it('delivers each message that cannot be checked, decompressed or split as an error, in order', async () => {
    const broker = await fakeBroker((socket, _n, consumerId) => {
      const good = Buffer.from('good');
      const corrupt = messageFrame(consumerId, 4, metadata(4), Buffer.from('will be flipped'));
      corrupt[corrupt.length - 1]! ^= 0xff; // payload byte changed after the CRC32C was computed
      socket.write(Buffer.concat([
        messageFrame(consumerId, 1, metadata(1), good),
        messageFrame(consumerId, 2, metadata(2, { compression: CompressionType.LZ4, uncompressedSize: 100 }), Buffer.from([0xff, 0xff, 0xff, 0xff])),
        messageFrame(consumerId, 3, metadata(3, { numMessagesInBatch: 3 }), Buffer.from('not a batch')),
        corrupt,
        messageFrame(consumerId, 5, metadata(5, { compression: CompressionType.ZLIB, uncompressedSize: 999 }), deflateSync(Buffer.from('shorter than claimed'))),
        messageFrame(consumerId, 6, metadata(6, { numMessagesInBatch: 2, compression: CompressionType.ZLIB, uncompressedSize: 0 }), deflateSync(
          encodeBatch([{ metadata: { payloadSize: 1 }, payload: Buffer.from('a') }, { metadata: { payloadSize: 1 }, payload: Buffer.from('b') }]),
        )),
        messageFrame(consumerId, 7, metadata(7), good),
      ]));
    });
    cleanup.push(() => broker.close());
    const client = await clientOf(broker);
    const consumer = await client.subscribe({ topic: 'persistent://public/default/bad', subscription: 'sub', ackGroupingMs: 0 });
    const got = [];
    for (let i = 0; i < 7; i++) got.push(await consumer.receive(5_000));
    expect(got.map((m) => Number(m.id.entryId))).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(got.map((m) => m.error?.code)).toEqual([
      undefined, 'DecompressionError', 'BatchDeserializeError', 'ChecksumMismatch', 'DecompressionError', 'DecompressionError', undefined,
    ]);
    expect(got[0]!.value.toString()).toBe('good');
    expect(got[1]!.value.length).toBe(0);
    expect(got[1]!.sequenceId).toBe(2n);
    // The application (the runtime's dead-letter step) acks a bad message like any other.
    for (const m of got) consumer.ack(m);
    await expect.poll(() => [...broker.acks].sort()).toEqual([1n, 2n, 3n, 4n, 5n, 6n, 7n]);
  });

  const malformed: [string, Buffer][] = [
    ['an undecodable command', Buffer.from([0, 0, 0, 8, 0, 0, 0, 4, 0xff, 0xff, 0xff, 0xff])],
    ['a command size beyond the frame', Buffer.from([0, 0, 0, 8, 0, 0, 1, 0, 8, 2, 0, 0])],
    ['a frame larger than any message', Buffer.from([0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0])],
    ['a MESSAGE without its body', (() => {
      const body = encodeCommand({ type: CommandType.MESSAGE });
      const out = Buffer.alloc(8 + body.length);
      out.writeUInt32BE(4 + body.length, 0);
      out.writeUInt32BE(body.length, 4);
      out.set(body, 8);
      return out;
    })()],
  ];
  for (const [what, garbage] of malformed) {
    it(`closes the connection on ${what} with a typed error and reconnects`, async () => {
      const broker = await fakeBroker((socket, connection, consumerId) => {
        socket.write(connection === 1 ? garbage : messageFrame(consumerId, 1, metadata(1), Buffer.from('after reconnect')));
      });
      cleanup.push(() => broker.close());
      const closed: { code?: string }[] = [];
      const logger: Logger = {
        debug: (obj, msg) => { if (msg === 'connection closed') closed.push(obj as { code?: string }); },
        info: () => undefined, warn: () => undefined, error: () => undefined,
      };
      const client = await clientOf(broker, logger);
      const consumer = await client.subscribe({ topic: 'persistent://public/default/garbage', subscription: 'sub' });
      const m = await consumer.receive(5_000);
      expect(m.value.toString()).toBe('after reconnect');
      expect(broker.connections).toBeGreaterThanOrEqual(2);
      expect(closed[0]?.code).toMatch(/^(ProtocolError|FrameTooLarge)$/);
    });
  }
});
