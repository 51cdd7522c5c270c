// A fake broker for unit tests that script one exchange (a reconnect, a lost reply, a race):
// a real node:net server on 127.0.0.1 speaking our wire layer. It answers the handshake,
// lookups (to itself), partition metadata (one transaction coordinator, every other topic not
// partitioned), PRODUCER, SUBSCRIBE, CLOSE_PRODUCER/CLOSE_CONSUMER and TC_CLIENT_CONNECT (never PING: a test can starve keep-alive); the
// script sees every command first and returns true when it answered it itself. Everything
// received is recorded with the index of the connection it came on.
import net from 'node:net';
import {
  CommandType, FrameParser, encodeMetadata, encodePayloadFrame, encodeSimpleFrame, encodeBatch, toBigInt, type BaseCommand,
} from '../protocol/index.ts';

export type Reply = (cmd: BaseCommand) => void;
/** Returns true when it answered the command itself (the default answer is then skipped). */
export type Script = (cmd: BaseCommand, reply: Reply, socket: net.Socket) => boolean | void;

export interface ScriptedBroker {
  url: string;
  /** Every command received, with the index of the connection it came on. */
  received: { conn: number; cmd: BaseCommand }[];
  sockets: net.Socket[];
  close(): Promise<void>;
}

export const idOf = (v: unknown): number => Number(toBigInt(v as number));

export async function scriptedBroker(script: Script = () => {}): Promise<ScriptedBroker> {
  const received: ScriptedBroker['received'] = [];
  const sockets: net.Socket[] = [];
  const server = net.createServer((socket) => {
    const conn = sockets.push(socket) - 1;
    const parser = new FrameParser();
    const reply: Reply = (cmd) => { if (!socket.destroyed) socket.write(encodeSimpleFrame(cmd)); };
    socket.on('error', () => {});
    socket.on('data', (chunk) => {
      for (const { command: cmd } of parser.push(chunk)) {
        received.push({ conn, cmd });
        if (script(cmd, reply, socket) === true || socket.destroyed) continue;
        defaultAnswer(cmd, reply, url);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `pulsar://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  return {
    url, received, sockets,
    close: () => new Promise<void>((resolve) => { sockets.forEach((s) => s.destroy()); server.close(() => resolve()); }),
  };
}

function defaultAnswer(cmd: BaseCommand, reply: Reply, url: string): void {
  switch (cmd.type) {
    case CommandType.CONNECT:
      reply({ type: CommandType.CONNECTED, connected: { serverVersion: 'fake', protocolVersion: 20 } });
      break;
    case CommandType.PARTITIONED_METADATA: {
      const partitions = cmd.partitionMetadata!.topic.includes('transaction_coordinator_assign') ? 1 : 0;
      reply({ type: CommandType.PARTITIONED_METADATA_RESPONSE, partitionMetadataResponse: { requestId: cmd.partitionMetadata!.requestId, partitions, response: 0 } });
      break;
    }
    case CommandType.LOOKUP:
      reply({ type: CommandType.LOOKUP_RESPONSE, lookupTopicResponse: { requestId: cmd.lookupTopic!.requestId, brokerServiceUrl: url, response: 1, authoritative: true } });
      break;
    case CommandType.PRODUCER:
      reply({ type: CommandType.PRODUCER_SUCCESS, producerSuccess: { requestId: cmd.producer!.requestId, producerName: 'fake-producer', lastSequenceId: -1 } });
      break;
    case CommandType.SUBSCRIBE:
      reply({ type: CommandType.SUCCESS, success: { requestId: cmd.subscribe!.requestId } });
      break;
    case CommandType.TC_CLIENT_CONNECT_REQUEST:
      reply({ type: CommandType.TC_CLIENT_CONNECT_RESPONSE, tcClientConnectResponse: { requestId: cmd.tcClientConnectRequest!.requestId } });
      break;
    case CommandType.CLOSE_PRODUCER:
      reply({ type: CommandType.SUCCESS, success: { requestId: cmd.closeProducer!.requestId } });
      break;
    case CommandType.CLOSE_CONSUMER:
      reply({ type: CommandType.SUCCESS, success: { requestId: cmd.closeConsumer!.requestId } });
      break;
    default:
  }
}

/** SEND_RECEIPT for a SEND, its entry id = its sequence id. */
export function receiptFor(cmd: BaseCommand): BaseCommand {
  const send = cmd.send!;
  return { type: CommandType.SEND_RECEIPT, sendReceipt: { producerId: send.producerId, sequenceId: send.sequenceId, messageId: { ledgerId: 1, entryId: idOf(send.sequenceId) } } };
}

/** A MESSAGE frame for entry `entryId` of ledger 1 carrying `values` (a batch when more than one). */
export function messageFrame(consumerId: unknown, entryId: number, values: string[], extra: Partial<NonNullable<BaseCommand['message']>> = {}): Buffer {
  const payloads = values.map((v) => Buffer.from(v));
  const batched = values.length > 1;
  const metadata = encodeMetadata({
    producerName: 'fake', sequenceId: 0, publishTime: 1,
    ...(batched ? { numMessagesInBatch: values.length } : {}),
  });
  const payload = batched
    ? encodeBatch(payloads.map((p) => ({ metadata: { payloadSize: p.length }, payload: p })))
    : payloads[0]!;
  return encodePayloadFrame(
    { type: CommandType.MESSAGE, message: { consumerId: consumerId as number, messageId: { ledgerId: 1, entryId }, ...extra } },
    metadata, payload,
  );
}
