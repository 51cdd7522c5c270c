// Message ids: (ledger, entry, partition, batch index) with 64-bit parts as bigint, because JS
// numbers corrupt ledger ids and the -1 sentinels (DESIGN.md). A batch message also knows the
// batch size, which batch-index acks need (PROTOCOL.md §3.6).
import { MessageIdDataType, has, toBigInt, toLong, type MessageIdData } from '../protocol/index.ts';
import type protobuf from 'protobufjs';

const U64_MAX = (1n << 64n) - 1n;
const I64_MAX = (1n << 63n) - 1n;

/** "ledger:entry:partition", computed once per id (or handed over by a batch sibling); internal. */
export let entryKeyOf: (id: MessageId) => string;
/** Give `id` the entry key its batch siblings already computed (the decoder's fast path); internal. */
export let shareEntryKey: (id: MessageId, key: string) => MessageId;

export class MessageId {
  readonly ledgerId: bigint;
  readonly entryId: bigint;
  readonly partition: number;
  readonly batchIndex: number;
  readonly batchSize: number;
  // Cached map keys: bigint → string conversions cost more than the rest of an ack. Private
  // fields, so equality checks, spreads and JSON see the same five properties as before.
  #entryKey: string | undefined;
  #key: string | undefined;

  static {
    entryKeyOf = (id) => (id.#entryKey ??= `${id.ledgerId}:${id.entryId}:${id.partition}`);
    shareEntryKey = (id, key) => {
      id.#entryKey = key;
      return id;
    };
  }

  constructor(ledgerId: bigint, entryId: bigint, partition = -1, batchIndex = -1, batchSize = 0) {
    this.ledgerId = ledgerId;
    this.entryId = entryId;
    this.partition = partition;
    this.batchIndex = batchIndex;
    this.batchSize = batchSize;
  }

  /** The oldest position: ledger and entry -1 as uint64 (what Java and Go send). */
  static readonly earliest = new MessageId(U64_MAX, U64_MAX);
  /** The newest position: Long.MAX_VALUE ledger and entry. */
  static readonly latest = new MessageId(I64_MAX, I64_MAX);

  static fromData(data: MessageIdData, partitionOverride?: number, batchIndex?: number, batchSize?: number): MessageId {
    return new MessageId(
      toBigInt(data.ledgerId),
      toBigInt(data.entryId),
      partitionOverride ?? (has(data, 'partition') ? data.partition! : -1),
      batchIndex ?? (has(data, 'batchIndex') ? data.batchIndex! : -1),
      batchSize ?? (has(data, 'batchSize') ? data.batchSize! : 0),
    );
  }

  toData(): MessageIdData {
    const data: MessageIdData = { ledgerId: toLong(this.ledgerId), entryId: toLong(this.entryId) };
    if (this.partition >= 0) data.partition = this.partition;
    if (this.batchIndex >= 0) data.batchIndex = this.batchIndex;
    if (this.batchSize > 0) data.batchSize = this.batchSize;
    if (this.firstChunkId) data.firstChunkMessageId = this.firstChunkId.toData();
    return data;
  }

  /** A chunked message's first chunk (its own ledger/entry are the last chunk's, as Java's ChunkMessageIdImpl). */
  get firstChunkId(): MessageId | undefined {
    return undefined;
  }

  /** Same entry (ledger, entry, partition), whatever the batch index. */
  sameEntry(other: MessageId): boolean {
    return this.ledgerId === other.ledgerId && this.entryId === other.entryId && this.partition === other.partition;
  }

  compare(other: MessageId): number {
    if (this.ledgerId !== other.ledgerId) return this.ledgerId < other.ledgerId ? -1 : 1;
    if (this.entryId !== other.entryId) return this.entryId < other.entryId ? -1 : 1;
    if (this.batchIndex !== other.batchIndex) return this.batchIndex < other.batchIndex ? -1 : 1;
    return 0;
  }

  equals(other: MessageId): boolean {
    return this.sameEntry(other) && this.batchIndex === other.batchIndex;
  }

  /** Stable key for maps (ack trackers, DLQ counters). */
  key(): string {
    return (this.#key ??= `${entryKeyOf(this)}:${this.batchIndex}`);
  }

  toString(): string {
    return this.key();
  }

  /** Bytes that survive a process boundary (a serialized MessageIdData). */
  serialize(): Uint8Array {
    return MessageIdDataType.encode(this.toData() as unknown as protobuf.Message).finish();
  }

  static deserialize(bytes: Uint8Array): MessageId {
    const data = MessageIdDataType.decode(bytes) as unknown as MessageIdData;
    const id = MessageId.fromData(data);
    return data.firstChunkMessageId ? new ChunkMessageId(MessageId.fromData(data.firstChunkMessageId), id) : id;
  }
}

/**
 * The id of a message sent in chunks: the last chunk's position (where cumulative acks and
 * seeks go) plus the first chunk's. A consumer also keeps every chunk's id, which an ack of the
 * message acknowledges (chunks of other messages may lie between first and last).
 */
export class ChunkMessageId extends MessageId {
  readonly #first: MessageId;
  /** Every chunk entry of this message as received, duplicates included; empty on the producer side. */
  readonly chunkIds: readonly MessageId[];

  constructor(first: MessageId, last: MessageId, chunkIds: readonly MessageId[] = []) {
    super(last.ledgerId, last.entryId, last.partition);
    this.#first = first;
    this.chunkIds = chunkIds;
  }

  override get firstChunkId(): MessageId {
    return this.#first;
  }
}
