// A fake broker for unit tests that script the server's side: it answers the handshake,
// lookups (to itself), partitioned metadata (not partitioned), PRODUCER, SUBSCRIBE, CLOSE_* and
// PING like a broker, and hands every command first to the test's `handler`, which may answer
// it itself (return true) — withhold receipts, push MESSAGE frames, refuse. It records every
// command with the connection it came on. Real node:net sockets on 127.0.0.1, so the client's
// socket code (write buffering, 'drain', close) runs as against a real broker.
import net from 'node:net';
import { CommandType, FrameParser, encodePayloadFrame, encodeMetadata, encodeSimpleFrame, toBigInt, toLong, type BaseCommand, type MessageMetadata, type PayloadSection } from '../protocol/index.ts';

export interface ScriptedConnection {
  readonly index: number;
  readonly socket: net.Socket;
  reply(cmd: BaseCommand): void;
  /** A MESSAGE frame for `consumerId` carrying one entry with this metadata and payload. */
  message(consumerId: bigint, entry: { ledgerId?: number; entryId: number }, metadata: MessageMetadata, payload: Uint8Array): void;
}

/** Return true when the command was answered (or is to be ignored) by the test. */
export type ScriptHandler = (cmd: BaseCommand, connection: ScriptedConnection, payload?: PayloadSection) => boolean | void;

export interface ScriptedBroker {
  readonly url: string;
  readonly received: { connection: number; cmd: BaseCommand }[];
  readonly connections: ScriptedConnection[];
  /** Commands of one type, in arrival order. */
  commands(type: number): BaseCommand[];
  close(): Promise<void>;
}

export async function startScriptedBroker(handler: ScriptHandler = () => false, options: { maxMessageSize?: number } = {}): Promise<ScriptedBroker> {
  const received: ScriptedBroker['received'] = [];
  const connections: ScriptedConnection[] = [];
  let url = '';
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    const parser = new FrameParser();
    if (options.maxMessageSize) parser.setMaxMessageSize(options.maxMessageSize);
    const connection: ScriptedConnection = {
      index: connections.length,
      socket,
      reply: (cmd) => { if (!socket.destroyed) socket.write(encodeSimpleFrame(cmd)); },
      message: (consumerId, entry, metadata, payload) => {
        if (socket.destroyed) return;
        socket.write(encodePayloadFrame(
          { type: CommandType.MESSAGE, message: { consumerId: toLong(consumerId), messageId: { ledgerId: entry.ledgerId ?? 1, entryId: entry.entryId } } },
          encodeMetadata(metadata),
          payload,
        ));
      },
    };
    connections.push(connection);
    socket.on('data', (chunk) => {
      let frames;
      try {
        frames = parser.push(chunk);
      } catch {
        socket.destroy();
        return;
      }
      for (const { command: cmd, payload } of frames) {
        received.push({ connection: connection.index, cmd });
        if (handler(cmd, connection, payload) === true || socket.destroyed) continue;
        answer(cmd, connection.reply, url, options.maxMessageSize);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `pulsar://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  return {
    url, received, connections,
    commands: (type) => received.filter((r) => r.cmd.type === type).map((r) => r.cmd),
    close: () => new Promise<void>((resolve) => {
      connections.forEach((c) => c.socket.destroy());
      server.close(() => resolve());
    }),
  };
}

/** What a broker would say to the commands every test needs answered. */
function answer(cmd: BaseCommand, reply: (cmd: BaseCommand) => void, url: string, maxMessageSize: number | undefined): void {
  switch (cmd.type) {
    case CommandType.CONNECT:
      reply({ type: CommandType.CONNECTED, connected: { serverVersion: 'scripted', protocolVersion: 20, ...(maxMessageSize ? { maxMessageSize } : {}) } });
      return;
    case CommandType.PING:
      reply({ type: CommandType.PONG, pong: {} });
      return;
    case CommandType.PARTITIONED_METADATA:
      reply({ type: CommandType.PARTITIONED_METADATA_RESPONSE, partitionMetadataResponse: { requestId: cmd.partitionMetadata!.requestId, partitions: 0, response: 0 } });
      return;
    case CommandType.LOOKUP:
      reply({ type: CommandType.LOOKUP_RESPONSE, lookupTopicResponse: { requestId: cmd.lookupTopic!.requestId, brokerServiceUrl: url, response: 1, authoritative: true } });
      return;
    case CommandType.PRODUCER:
      reply({ type: CommandType.PRODUCER_SUCCESS, producerSuccess: { requestId: cmd.producer!.requestId, producerName: `scripted-${toBigInt(cmd.producer!.producerId)}`, lastSequenceId: -1 } });
      return;
    case CommandType.SUBSCRIBE:
      reply({ type: CommandType.SUCCESS, success: { requestId: cmd.subscribe!.requestId } });
      return;
    case CommandType.CLOSE_PRODUCER:
      reply({ type: CommandType.SUCCESS, success: { requestId: cmd.closeProducer!.requestId } });
      return;
    case CommandType.CLOSE_CONSUMER:
      reply({ type: CommandType.SUCCESS, success: { requestId: cmd.closeConsumer!.requestId } });
      return;
    case CommandType.SEND: {
      const send = cmd.send!;
      reply({ type: CommandType.SEND_RECEIPT, sendReceipt: { producerId: send.producerId, sequenceId: send.sequenceId, messageId: { ledgerId: 1, entryId: send.sequenceId } } });
      return;
    }
    default:
  }
}
