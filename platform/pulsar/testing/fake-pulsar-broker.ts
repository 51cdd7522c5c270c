// A minimal Pulsar broker for tests and the client benchmark, on the committed wire layer
// (FrameParser, encodeSimpleFrame, encodePayloadFrame). It speaks just enough of the protocol
// for one producer and one consumer path: CONNECT/CONNECTED, PING/PONG, LOOKUP (always Connect,
// to itself), PARTITIONED_METADATA (never partitioned), PRODUCER/PRODUCER_SUCCESS, SEND/SEND_RECEIPT,
// SUBSCRIBE/SUCCESS, FLOW → MESSAGE, ACK, CLOSE_PRODUCER, CLOSE_CONSUMER. Any other request is
// answered with an ERROR (NotAllowedError) naming the command; a malformed frame closes the
// connection, as a real broker does. Nothing is stored: a consumer receives synthetic batch
// entries of a fixed shape, as many as its flow permits allow.
import net from 'node:net';
import {
  COMMAND_FIELD, CommandType, FrameParser, encodeBatch, encodeMetadata, encodePayloadFrame, encodeSimpleFrame, toBigInt,
  type BaseCommand, type Frame, type U64,
} from '../protocol/index.ts';

export const FAKE_BROKER_VERSION = 'lodestar-fake-broker';
const NOT_ALLOWED = 22; // ServerError.NotAllowedError

export interface DeliveryShape {
  /** Messages per batch entry. Default 100. */
  batchSize: number;
  /** Bytes per message. Default 1024. */
  payloadBytes: number;
}

export interface FakeBrokerStats {
  connections: number;
  sendFrames: number;
  /** Messages in SEND frames (num_messages, 1 when absent). */
  messagesReceived: number;
  entriesDelivered: number;
  messagesDelivered: number;
  ackCommands: number;
  /** Commands answered with ERROR because the fake does not speak them. */
  unsupported: number;
}

export function emptyStats(): FakeBrokerStats {
  return { connections: 0, sendFrames: 0, messagesReceived: 0, entriesDelivered: 0, messagesDelivered: 0, ackCommands: 0, unsupported: 0 };
}

/** One connection's protocol handling, without a socket: bytes in through push(), bytes out through `write`. */
export class FakeBrokerSession {
  readonly #write: (bytes: Buffer) => void;
  readonly #close: (reason: Error) => void;
  readonly #advertisedUrl: string;
  readonly #stats: FakeBrokerStats;
  readonly #parser = new FrameParser();
  readonly #entryMetadata: Uint8Array;
  readonly #entryPayload: Buffer;
  readonly #batchSize: number;
  /** consumer id → permits left. */
  readonly #permits = new Map<bigint, number>();
  #nextEntryId = 0;
  #connected = false;
  #closed = false;

  constructor(options: {
    write: (bytes: Buffer) => void;
    close: (reason: Error) => void;
    advertisedUrl: string;
    delivery?: Partial<DeliveryShape>;
    stats?: FakeBrokerStats;
  }) {
    this.#write = options.write;
    this.#close = options.close;
    this.#advertisedUrl = options.advertisedUrl;
    this.#stats = options.stats ?? emptyStats();
    this.#batchSize = options.delivery?.batchSize ?? 100;
    const payload = Buffer.alloc(options.delivery?.payloadBytes ?? 1024, 0x61);
    this.#entryPayload = encodeBatch(Array.from({ length: this.#batchSize }, (_, i) => ({ metadata: { payloadSize: payload.length, sequenceId: i }, payload })));
    this.#entryMetadata = encodeMetadata({ producerName: 'fake', sequenceId: 0, publishTime: Date.now(), numMessagesInBatch: this.#batchSize });
  }

  get closed(): boolean {
    return this.#closed;
  }

  push(chunk: Buffer): void {
    if (this.#closed) return;
    let frames: Frame[];
    try {
      frames = this.#parser.push(chunk);
    } catch (err) {
      this.#shut(err as Error);
      return;
    }
    for (const frame of frames) {
      if (this.#closed) return;
      this.#handle(frame.command);
    }
  }

  #shut(reason: Error): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#close(reason);
  }

  #send(cmd: BaseCommand): void {
    this.#write(encodeSimpleFrame(cmd));
  }

  #handle(cmd: BaseCommand): void {
    if (!this.#connected && cmd.type !== CommandType.CONNECT) {
      this.#shut(new Error(`command ${cmd.type} before CONNECT`));
      return;
    }
    switch (cmd.type) {
      case CommandType.CONNECT:
        this.#connected = true;
        this.#send({
          type: CommandType.CONNECTED,
          connected: {
            serverVersion: FAKE_BROKER_VERSION,
            protocolVersion: Math.min(cmd.connect!.protocolVersion, 20),
            maxMessageSize: 5 * 1024 * 1024,
          },
        });
        return;
      case CommandType.PING:
        this.#send({ type: CommandType.PONG, pong: {} });
        return;
      case CommandType.PONG:
        return;
      case CommandType.LOOKUP:
        this.#send({
          type: CommandType.LOOKUP_RESPONSE,
          lookupTopicResponse: { requestId: cmd.lookupTopic!.requestId, response: 1, brokerServiceUrl: this.#advertisedUrl, authoritative: true },
        });
        return;
      case CommandType.PARTITIONED_METADATA:
        this.#send({
          type: CommandType.PARTITIONED_METADATA_RESPONSE,
          partitionMetadataResponse: { requestId: cmd.partitionMetadata!.requestId, partitions: 0, response: 0 },
        });
        return;
      case CommandType.PRODUCER: {
        const p = cmd.producer!;
        this.#send({
          type: CommandType.PRODUCER_SUCCESS,
          producerSuccess: { requestId: p.requestId, producerName: p.producerName || `fake-${toBigInt(p.producerId)}`, lastSequenceId: -1 },
        });
        return;
      }
      case CommandType.SEND: {
        const s = cmd.send!;
        const count = s.numMessages ?? 1;
        this.#stats.sendFrames++;
        this.#stats.messagesReceived += count;
        this.#send({
          type: CommandType.SEND_RECEIPT,
          sendReceipt: {
            producerId: s.producerId,
            sequenceId: s.sequenceId,
            highestSequenceId: s.highestSequenceId ?? s.sequenceId,
            messageId: { ledgerId: 1, entryId: this.#nextEntryId++ },
          },
        });
        return;
      }
      case CommandType.SUBSCRIBE:
        this.#permits.set(toBigInt(cmd.subscribe!.consumerId), 0);
        this.#success(cmd.subscribe!.requestId);
        return;
      case CommandType.FLOW:
        this.#flow(cmd.flow!.consumerId, cmd.flow!.messagePermits);
        return;
      case CommandType.ACK:
        this.#stats.ackCommands++;
        return;
      case CommandType.CLOSE_PRODUCER:
        this.#success(cmd.closeProducer!.requestId);
        return;
      case CommandType.CLOSE_CONSUMER:
        this.#permits.delete(toBigInt(cmd.closeConsumer!.consumerId));
        this.#success(cmd.closeConsumer!.requestId);
        return;
      default: {
        this.#stats.unsupported++;
        const field = COMMAND_FIELD[cmd.type];
        const body = field ? (cmd[field] as { requestId?: U64 } | undefined) : undefined;
        if (body?.requestId !== undefined) {
          this.#send({ type: CommandType.ERROR, error: { requestId: body.requestId, error: NOT_ALLOWED, message: `fake broker does not support command ${cmd.type}` } });
        }
      }
    }
  }

  #success(requestId: U64): void {
    this.#send({ type: CommandType.SUCCESS, success: { requestId } });
  }

  /** Like the broker, send whole entries while the consumer has permits (an entry may overdraw them). */
  #flow(consumerId: U64, permits: number): void {
    const id = toBigInt(consumerId);
    const current = this.#permits.get(id);
    if (current === undefined) return;
    let left = current + permits;
    while (left > 0) {
      this.#write(encodePayloadFrame(
        { type: CommandType.MESSAGE, message: { consumerId, messageId: { ledgerId: 2, entryId: this.#nextEntryId++ } } },
        this.#entryMetadata,
        this.#entryPayload,
      ));
      left -= this.#batchSize;
      this.#stats.entriesDelivered++;
      this.#stats.messagesDelivered += this.#batchSize;
    }
    this.#permits.set(id, left);
  }
}

export interface FakeBroker {
  /** pulsar://127.0.0.1:<port> */
  readonly url: string;
  readonly port: number;
  readonly stats: FakeBrokerStats;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 (an ephemeral port unless `port` is given). */
export async function startFakeBroker(options: { port?: number; delivery?: Partial<DeliveryShape> } = {}): Promise<FakeBroker> {
  const stats = emptyStats();
  const sockets = new Set<net.Socket>();
  let url = '';
  const server = net.createServer((socket) => {
    stats.connections++;
    sockets.add(socket);
    socket.setNoDelay(true);
    const session = new FakeBrokerSession({
      write: (bytes) => { socket.write(bytes); },
      close: () => socket.destroy(),
      advertisedUrl: url,
      delivery: options.delivery,
      stats,
    });
    socket.on('data', (chunk: Buffer) => session.push(chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  url = `pulsar://127.0.0.1:${port}`;
  return {
    url,
    port,
    stats,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
