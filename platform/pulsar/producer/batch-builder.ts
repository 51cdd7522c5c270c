// Builds SEND frames from one message or a batch (PROTOCOL.md §4.1, §4.4): the payload is
// compressed once, MessageMetadata is never compressed, and a batch's metadata takes its key
// fields from the first message and spans [lowest, highest] sequence ids — except a key-based
// batch (see frameSequenceId).
import Long from 'long';
import {
  CommandType, compress, encodeBatch, encodeBatchParts, encodeMetadata, encodePayloadFrame, toLong,
  type BaseCommand, type BatchParts, type KeyValue, type MessageMetadata, type SingleMessageMetadata,
} from '../protocol/index.ts';
import type { OutgoingMessage } from '../message/index.ts';
import { ClientErrorCode, PulsarError } from '../errors.ts';

export interface QueuedMessage {
  sequenceId: bigint;
  payload: Uint8Array;
  message: OutgoingMessage;
}

export interface BuildOptions {
  producerId: bigint;
  producerName: string;
  compression: number;
  txn?: { mostBits: bigint; leastBits: bigint };
  /** A batch of one key out of key-based batching (batch-container.ts). */
  keyBased?: boolean;
}

/**
 * The sequence id a frame is sent (and receipted) with. A key-based batch holds ids that
 * interleave with other keys' batches (A: 0, 3, 4; B: 1, 2): sent as [lowest, highest] ranges
 * they overlap and broker dedup drops the later one as a duplicate. As Java does since
 * apache/pulsar#15413, such a batch goes out with its highest id alone (no highest_sequence_id),
 * in increasing order of that id; each message keeps its own id in its single metadata.
 */
export function frameSequenceId(messages: readonly QueuedMessage[], keyBased: boolean): bigint {
  return (keyBased ? messages[messages.length - 1]! : messages[0]!).sequenceId;
}

export function toBytes(value: Uint8Array | string): Uint8Array {
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
}

function props(p: Record<string, string> | undefined): KeyValue[] | undefined {
  if (!p) return undefined;
  const keys = Object.keys(p);
  return keys.length ? keys.map((key) => ({ key, value: p[key]! })) : undefined;
}

function deliverAt(m: OutgoingMessage): number | undefined {
  if (m.deliverAt !== undefined) return m.deliverAt;
  if (m.deliverAfterMs !== undefined) return Date.now() + m.deliverAfterMs;
  return undefined;
}

export function buildFrame(messages: readonly QueuedMessage[], options: BuildOptions, batched: boolean): Buffer {
  const first = messages[0]!;
  const last = messages[messages.length - 1]!;
  const m = first.message;
  const keyBased = batched && options.keyBased === true;
  const sequenceId = toLong(frameSequenceId(messages, keyBased));
  let raw: Uint8Array | BatchParts;
  const metadata: MessageMetadata = {
    producerName: options.producerName,
    sequenceId,
    publishTime: Long.fromNumber(Date.now(), true),
  };
  if (m.key !== undefined) metadata.partitionKey = m.key;
  if (m.orderingKey !== undefined) metadata.orderingKey = toBytes(m.orderingKey);
  if (batched) {
    const entries = messages.map((q) => {
      const single: SingleMessageMetadata = { payloadSize: q.payload.length, sequenceId: toLong(q.sequenceId) };
      const sp = props(q.message.properties);
      if (sp) single.properties = sp;
      if (q.message.key !== undefined) single.partitionKey = q.message.key;
      if (q.message.orderingKey !== undefined) single.orderingKey = toBytes(q.message.orderingKey);
      if (q.message.eventTime) single.eventTime = Long.fromNumber(q.message.eventTime, true);
      return { metadata: single, payload: q.payload };
    });
    // Uncompressed, the parts go straight into the frame (one copy); compressed, they are laid out first.
    const parts = encodeBatchParts(entries);
    raw = options.compression === 0 ? parts : encodeBatch(entries, parts);
    // Presence of num_messages_in_batch marks the batch format (PROTOCOL.md §4.1).
    metadata.numMessagesInBatch = messages.length;
    if (!keyBased) metadata.highestSequenceId = toLong(last.sequenceId);
  } else {
    raw = first.payload;
    addSingleFields(metadata, m);
  }
  let payload: Uint8Array | BatchParts = raw;
  if (options.compression !== 0) {
    const bytes = raw as Uint8Array;
    payload = compress(options.compression, bytes);
    metadata.compression = options.compression;
    metadata.uncompressedSize = bytes.length;
  }
  const send = sendCommand(options, sequenceId, metadata);
  if (batched) {
    send.numMessages = messages.length;
    if (!keyBased) send.highestSequenceId = toLong(last.sequenceId);
  }
  return encodePayloadFrame({ type: CommandType.SEND, send }, encodeMetadata(metadata), payload);
}

/** Fields a message sent alone (not in a batch) carries in the entry's metadata. */
function addSingleFields(metadata: MessageMetadata, m: OutgoingMessage): void {
  const p = props(m.properties);
  if (p) metadata.properties = p;
  if (m.eventTime) metadata.eventTime = Long.fromNumber(m.eventTime, true);
  const at = deliverAt(m);
  if (at !== undefined) metadata.deliverAtTime = Long.fromNumber(at);
}

function sendCommand(options: BuildOptions, sequenceId: Long, metadata: MessageMetadata): NonNullable<BaseCommand['send']> {
  const send: NonNullable<BaseCommand['send']> = { producerId: toLong(options.producerId), sequenceId };
  if (options.txn) {
    // The txn id goes in both CommandSend (routing) and the metadata (dispatch filtering), §5.3.
    send.txnidMostBits = metadata.txnidMostBits = toLong(options.txn.mostBits);
    send.txnidLeastBits = metadata.txnidLeastBits = toLong(options.txn.leastBits);
  }
  return send;
}

/**
 * One message as SEND frames of at most `maxMessageSize` bytes of metadata and payload each, as
 * Java chunks: the payload is compressed whole, then cut; every chunk carries the message's
 * metadata and sequence id plus uuid (producer name and sequence id), chunk id, chunk count and
 * the compressed total. Returns one plain frame when the message fits.
 */
export function buildChunkFrames(q: QueuedMessage, options: BuildOptions, maxMessageSize: number): Buffer[] {
  const sequenceId = toLong(q.sequenceId);
  const metadata: MessageMetadata = { producerName: options.producerName, sequenceId, publishTime: Long.fromNumber(Date.now(), true) };
  if (q.message.key !== undefined) metadata.partitionKey = q.message.key;
  if (q.message.orderingKey !== undefined) metadata.orderingKey = toBytes(q.message.orderingKey);
  addSingleFields(metadata, q.message);
  let payload = q.payload;
  if (options.compression !== 0) {
    payload = compress(options.compression, q.payload);
    metadata.compression = options.compression;
    metadata.uncompressedSize = q.payload.length;
  }
  const send = sendCommand(options, sequenceId, metadata);
  // Room for the chunk fields too (uuid, ids and sizes: well under 64 bytes beyond the uuid).
  const uuid = `${options.producerName}-${q.sequenceId}`;
  const chunkSize = maxMessageSize - encodeMetadata(metadata).length - Buffer.byteLength(uuid) - 64;
  if (payload.length <= maxMessageSize - encodeMetadata(metadata).length) {
    return [encodePayloadFrame({ type: CommandType.SEND, send }, encodeMetadata(metadata), payload)];
  }
  if (chunkSize <= 0) throw new PulsarError(ClientErrorCode.MessageTooBig, `message metadata alone exceeds the broker's max message size of ${maxMessageSize} bytes`);
  const numChunks = Math.ceil(payload.length / chunkSize);
  const frames: Buffer[] = [];
  for (let i = 0; i < numChunks; i++) {
    const chunkMetadata: MessageMetadata = { ...metadata, uuid, chunkId: i, numChunksFromMsg: numChunks, totalChunkMsgSize: payload.length };
    // is_chunk tells broker dedup that the chunks share one sequence id (only the last one counts).
    frames.push(encodePayloadFrame({ type: CommandType.SEND, send: { ...send, isChunk: true } }, encodeMetadata(chunkMetadata), payload.subarray(i * chunkSize, (i + 1) * chunkSize)));
  }
  return frames;
}
