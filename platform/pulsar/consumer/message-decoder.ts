// Turns one MESSAGE frame into the messages it carries: checksum → decompress → split batch
// (PROTOCOL.md §4.4, §4.5). Failures become one message with `error` set for the entry, so bad
// input is handed to the application instead of dropped (README.md, "Bad input").
import { ClientErrorCode, PulsarError } from '../errors.ts';
import { MessageId, shareEntryKey } from '../message/message-id.ts';
import { isStillUnacked } from './ack-data.ts';
import type { Message } from '../message/index.ts';
import {
  decodeBatch, decompress, has, toBigInt, type BaseCommand, type U64, type KeyValue, type MessageMetadata, type PayloadSection,
} from '../protocol/index.ts';

export interface DecodedEntry {
  messages: Message[];
  /** Messages in the entry that were skipped (already acked or compacted out): their permits return. */
  skipped: number;
  /** Indexes the broker's ack_set marked acked (batch-index acks), when it sent one. */
  ackedByBroker?: number[];
}

function properties(list: KeyValue[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (list) for (const kv of list) out[kv.key] = kv.value;
  return out;
}

const EMPTY = Buffer.alloc(0);

function asBuffer(b: Uint8Array | undefined): Buffer | undefined {
  if (b === undefined) return undefined;
  if (Buffer.isBuffer(b)) return b;
  return b instanceof Uint8Array ? Buffer.from(b.buffer, b.byteOffset, b.byteLength) : Buffer.from(b as ArrayLike<number>);
}

/** An unsigned 64-bit field as a number, rounded like Number(toBigInt(v)) but without bigints. */
function u64ToNumber(v: U64 | null | undefined): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return v;
  return (v.high >>> 0) * 0x1_0000_0000 + (v.low >>> 0);
}

/** toBigInt(v) with one bigint allocation when the high word is 0 (the usual sequence id). */
function u64ToBigInt(v: U64): bigint {
  if (typeof v !== 'number' && v.high === 0) return BigInt(v.low >>> 0);
  return toBigInt(v);
}

/** A message that stands for input that could not be made into one: empty value, `error` set. */
export function failedMessage(id: MessageId, topic: string, error: PulsarError, meta: MessageMetadata | undefined, redeliveryCount: number): Message {
  return {
    id, topic, value: EMPTY, properties: meta ? properties(meta.properties) : {},
    publishTime: meta ? Number(toBigInt(meta.publishTime)) : 0, eventTime: 0,
    producerName: meta?.producerName ?? '', sequenceId: meta ? toBigInt(meta.sequenceId) : -1n, redeliveryCount, error,
  };
}

export function decodeEntry(topic: string, partition: number, cmd: NonNullable<BaseCommand['message']>, section: PayloadSection | undefined): DecodedEntry {
  const entryId = MessageId.fromData(cmd.messageId, partition);
  const redeliveryCount = cmd.redeliveryCount ?? 0;
  const md = section?.metadata;
  const errorMessage = (error: PulsarError, meta?: MessageMetadata, count = 1): DecodedEntry => ({
    messages: [failedMessage(entryId, topic, error, meta, redeliveryCount)],
    skipped: Math.max(0, count - 1),
  });
  if (!section) return errorMessage(new PulsarError(ClientErrorCode.BatchDecode, 'MESSAGE without payload'));
  if (section.error || !md) return errorMessage(section.error ?? new PulsarError(ClientErrorCode.BatchDecode, 'no metadata'), md);
  const count = has(md, 'numMessagesInBatch') ? md.numMessagesInBatch! : -1;
  if (md.encryptionKeys && md.encryptionKeys.length > 0) {
    // The payload is ciphertext: handing it over as the value would pass it off as the message.
    return errorMessage(new PulsarError(ClientErrorCode.DecryptionNotSupported,
      `message is encrypted (${md.encryptionAlgo ?? 'unknown algorithm'}, keys ${md.encryptionKeys.map((k) => k.key).join(', ')}); this client cannot decrypt`), md, Math.max(1, count));
  }
  let raw: Uint8Array;
  try {
    raw = decompress(md.compression ?? 0, section.payload, md.uncompressedSize ?? 0);
  } catch (err) {
    return errorMessage(err as PulsarError, md, Math.max(1, count));
  }
  const publishTime = Number(toBigInt(md.publishTime));
  const producerName = md.producerName;
  if (count < 0) {
    return {
      messages: [{
        topic, publishTime, producerName, redeliveryCount, id: entryId, value: asBuffer(raw)!, sequenceId: toBigInt(md.sequenceId),
        key: has(md, 'partitionKey') ? md.partitionKey : undefined,
        orderingKey: has(md, 'orderingKey') ? asBuffer(md.orderingKey) : undefined,
        properties: properties(md.properties),
        eventTime: Number(toBigInt(md.eventTime)),
      }],
      skipped: 0,
    };
  }
  let entries;
  try {
    entries = decodeBatch(raw, count);
  } catch (err) {
    return errorMessage(err as PulsarError, md, count);
  }
  // Per message: one MessageId and one object literal of a fixed shape; the entry's bigints are
  // shared, and 64-bit fields become numbers/bigints without going through Long → BigInt twice.
  const messages: Message[] = [];
  let skipped = 0;
  const first = toBigInt(md.sequenceId);
  const { ledgerId, entryId: entry } = entryId;
  const entryKey = `${ledgerId}:${entry}:${partition}`; // one bigint → string per entry, not per ack
  const ackSet = cmd.ackSet && cmd.ackSet.length > 0 ? cmd.ackSet : undefined;
  const ackedByBroker: number[] | undefined = ackSet ? [] : undefined;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const s = e.metadata;
    if (ackedByBroker && !isStillUnacked(ackSet!, i)) {
      ackedByBroker.push(i);
      skipped++;
      continue;
    }
    if (s.compactedOut) {
      skipped++;
      continue;
    }
    messages.push({
      topic, publishTime, producerName, redeliveryCount,
      id: shareEntryKey(new MessageId(ledgerId, entry, partition, i, count), entryKey),
      value: asBuffer(e.payload)!,
      key: has(s, 'partitionKey') ? s.partitionKey : undefined,
      orderingKey: has(s, 'orderingKey') ? asBuffer(s.orderingKey) : undefined,
      properties: properties(s.properties),
      eventTime: has(s, 'eventTime') ? u64ToNumber(s.eventTime) : 0,
      sequenceId: has(s, 'sequenceId') ? u64ToBigInt(s.sequenceId!) : first + BigInt(i),
    });
  }
  return ackedByBroker ? { messages, skipped, ackedByBroker } : { messages, skipped };
}
