// Ack grouping (PROTOCOL.md §6.6): individual acks are buffered and flushed as one ACK every
// `groupMs` or at `maxGroup` ids; a cumulative ack keeps only the highest id. Batch messages
// are acked per entry once every index of the entry is acked, unless batch-index acks are on,
// in which case a partial ack carries ack_set (bits set = still unacked) and batch_size.
// Acks that cannot be sent (the consumer is reconnecting) stay here until the next flush.
import { entryKeyOf, type MessageId } from '../message/message-id.ts';
import { ackSetWords, cumulativeAckData, entryData, isStillUnacked } from './ack-data.ts';
import type { MessageIdData } from '../protocol/index.ts';

export interface AckSink {
  /** False when nothing was sent (no connection): the tracker keeps the ids for the next flush. */
  (ids: MessageIdData[], cumulative: boolean): boolean;
}

export class AckTracker {
  #sink: AckSink;
  #groupMs: number;
  #maxGroup: number;
  #batchIndexAck: boolean;
  #canSend: () => boolean;
  #individual = new Map<string, MessageIdData>();
  #cumulative: MessageId | null = null;
  /** Batch entries partly acked: which indexes are acked and how many are left. */
  #batches = new Map<string, PartialEntry>();
  #timer: NodeJS.Timeout | undefined;

  constructor(sink: AckSink, options: { groupMs?: number; maxGroup?: number; batchIndexAck?: boolean; canSend?: () => boolean } = {}) {
    this.#sink = sink;
    // Checked before building an ACK: while disconnected, acks pile up without being copied per ack.
    this.#canSend = options.canSend ?? (() => true);
    this.#groupMs = options.groupMs ?? 100;
    this.#maxGroup = options.maxGroup ?? 1000;
    this.#batchIndexAck = options.batchIndexAck ?? false;
  }

  /** Individual ack. Keyed by entry: a fuller state of the same entry replaces an older one. */
  ack(id: MessageId): void {
    if (this.#entryDone(id) === 'partial') {
      if (!this.#batchIndexAck) return;
      this.#individual.set(entryKey(id), this.#batchIndexData(id));
    } else {
      this.#individual.set(entryKey(id), entryData(id));
    }
    this.#schedule();
  }

  ackCumulative(id: MessageId): void {
    if (!this.#cumulative || id.compare(this.#cumulative) > 0) this.#cumulative = id;
    this.#schedule();
  }

  /**
   * The broker redelivered a batch entry with some indexes already acked (its ack_set): count
   * them as acked here too, or the entry would never be complete without batch-index acks.
   */
  ackedByBroker(id: MessageId, indexes: readonly number[]): void {
    if (indexes.length === 0 || id.batchSize <= 1) return;
    const entry = this.#partialEntry(id);
    for (const index of indexes) {
      if (index < entry.acked.length && entry.acked[index] === 0) {
        entry.acked[index] = 1;
        entry.left--;
      }
    }
  }

  /** Whether an id was acked but not yet flushed: a redelivered duplicate can be dropped. */
  isPendingAck(id: MessageId): boolean {
    if (this.#cumulative !== null && id.compare(this.#cumulative) <= 0 && id.partition === this.#cumulative.partition) return true;
    if (this.#individual.size === 0) return false;
    const pending = this.#individual.get(entryKey(id));
    if (!pending) return false;
    // A batch-index ack pending for this entry covers only the indexes cleared in its ack set.
    return id.batchIndex < 0 || !pending.ackSet || !isStillUnacked(pending.ackSet, id.batchIndex);
  }

  #entryDone(id: MessageId): 'done' | 'partial' {
    if (id.batchIndex < 0 || id.batchSize <= 1) return 'done';
    const key = entryKey(id);
    const entry = this.#partialEntry(id);
    if (id.batchIndex < entry.acked.length && entry.acked[id.batchIndex] === 0) {
      entry.acked[id.batchIndex] = 1;
      entry.left--;
    }
    if (entry.left > 0) return 'partial';
    this.#batches.delete(key);
    return 'done';
  }

  #partialEntry(id: MessageId): PartialEntry {
    const key = entryKey(id);
    let entry = this.#batches.get(key);
    if (!entry) {
      entry = { acked: new Uint8Array(id.batchSize), left: id.batchSize };
      this.#batches.set(key, entry);
    }
    return entry;
  }

  #batchIndexData(id: MessageId): MessageIdData {
    const { acked } = this.#batches.get(entryKey(id))!;
    return { ...entryData(id), ackSet: ackSetWords(id.batchSize, (index) => acked[index] === 0), batchSize: id.batchSize };
  }

  #schedule(): void {
    if (this.#individual.size >= this.#maxGroup) {
      this.flush();
      return;
    }
    if (this.#groupMs <= 0) {
      this.flush();
      return;
    }
    this.#timer ??= setTimeout(() => this.flush(), this.#groupMs);
  }

  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!this.#canSend()) return;
    if (this.#individual.size > 0 && this.#sink([...this.#individual.values()], false)) this.#individual.clear();
    if (this.#cumulative && this.#sink([cumulativeAckData(this.#cumulative)], true)) this.#cumulative = null;
  }

  /** Forget batch progress (after a reconnect the broker redelivers whole entries). */
  reset(): void {
    this.#batches.clear();
  }

  close(): void {
    this.flush();
    clearTimeout(this.#timer);
  }
}

/** "ledger:entry:partition", cached on the id (and shared by a batch's ids). */
function entryKey(id: MessageId): string {
  return entryKeyOf(id);
}

interface PartialEntry {
  /** 1 at each acked index: a typed array instead of a Set of the unacked ones (filled and emptied per message). */
  acked: Uint8Array;
  left: number;
}
