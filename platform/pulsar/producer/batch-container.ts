// The open batches of one partition producer. By default one batch takes every message. Key
// based (Java's BatcherBuilder.KEY_BASED) keeps one batch per ordering key, else per key: a
// Key_Shared dispatcher routes a whole entry by the key of its batch metadata, which is the
// first message's (PROTOCOL.md §3.6), so a batch mixing keys hands some keys to the wrong
// consumer. Either way the limits (messages, bytes) count every open batch together, and a
// flush cuts them all.
import type { TransactionHandle } from '../context.ts';
import type { QueuedMessage } from './batch-builder.ts';

export interface BatchLimits {
  maxMessages: number;
  maxBytes: number;
}

export interface OpenBatch<C> {
  messages: QueuedMessage[];
  callbacks: C[];
}

export class BatchContainer<C> {
  readonly keyBased: boolean;
  #limits: BatchLimits;
  #single: OpenBatch<C> = { messages: [], callbacks: [] };
  #byKey = new Map<string, OpenBatch<C>>();
  #count = 0;
  #bytes = 0;
  #txn: TransactionHandle | undefined;

  constructor(limits: BatchLimits, keyBased: boolean) {
    this.#limits = limits;
    this.keyBased = keyBased;
  }

  /** Messages in the open batches. */
  get count(): number {
    return this.#count;
  }

  /** Whether a message of `bytes` under `txn` must wait for a flush of what is open: one transaction per flush, bytes within the limit. */
  needsFlushBefore(bytes: number, txn: TransactionHandle | undefined): boolean {
    return this.#count > 0 && (this.#txn !== txn || this.#bytes + bytes > this.#limits.maxBytes);
  }

  /** Adds a message; true when the limits are reached and the batches must be flushed now. */
  add(queued: QueuedMessage, callback: C, txn: TransactionHandle | undefined): boolean {
    const batch = this.keyBased ? this.#batchFor(batchKey(queued)) : this.#single;
    batch.messages.push(queued);
    batch.callbacks.push(callback);
    this.#count++;
    this.#bytes += queued.payload.length;
    this.#txn = txn;
    return this.#count >= this.#limits.maxMessages || this.#bytes >= this.#limits.maxBytes;
  }

  #batchFor(key: string): OpenBatch<C> {
    let batch = this.#byKey.get(key);
    if (!batch) this.#byKey.set(key, (batch = { messages: [], callbacks: [] }));
    return batch;
  }

  /**
   * Empties the container. Key-based batches come out in the order of their highest sequence
   * id, which is the id each is sent with (batch-builder.ts): broker dedup needs increasing ids.
   */
  drain(): { batches: OpenBatch<C>[]; txn: TransactionHandle | undefined } {
    const txn = this.#txn;
    let batches: OpenBatch<C>[];
    if (this.keyBased) {
      batches = [...this.#byKey.values()];
      this.#byKey.clear();
      if (batches.length > 1) batches.sort((a, b) => compare(highest(a), highest(b)));
    } else {
      batches = this.#single.messages.length > 0 ? [this.#single] : [];
      this.#single = { messages: [], callbacks: [] };
    }
    this.#count = 0;
    this.#bytes = 0;
    this.#txn = undefined;
    return { batches, txn };
  }
}

/** The key a Key_Shared dispatcher reads: the ordering key when set, else the partition key. */
function batchKey(q: QueuedMessage): string {
  const { orderingKey, key } = q.message;
  if (orderingKey !== undefined) return `o:${Buffer.from(orderingKey).toString('base64')}`;
  return key === undefined ? '' : `k:${key}`;
}

function highest(batch: OpenBatch<unknown>): bigint {
  return batch.messages[batch.messages.length - 1]!.sequenceId;
}

function compare(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
