// Ack grouping (PROTOCOL.md §6.6): individual acks are buffered and flushed as one ACK every
// `groupMs` or at `maxGroup` ids; a cumulative ack keeps only the highest id. Batch messages
// are acked per entry once every index of the entry is acked, unless batch-index acks are on,
// in which case a partial ack carries ack_set (bits set = still unacked) and batch_size.
import { entryKeyOf, type MessageId } from '../message/message-id.ts';
import { ackSetWords } from './ack-data.ts';
import { toLong, type MessageIdData } from '../protocol/index.ts';

export interface AckSink {
  (ids: MessageIdData[], cumulative: boolean): void;
}

export class AckTracker {
  #sink: AckSink;
  #groupMs: number;
  #maxGroup: number;
  #batchIndexAck: boolean;
  #individual = new Map<string, MessageIdData>();
  #cumulative: MessageId | null = null;
  /** Batch entries partly acked: which indexes are acked and how many are left. */
  #batches = new Map<string, PartialEntry>();
  #timer: NodeJS.Timeout | undefined;

  constructor(sink: AckSink, options: { groupMs?: number; maxGroup?: number; batchIndexAck?: boolean } = {}) {
    this.#sink = sink;
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

  /** Whether an id was acked but not yet flushed: a redelivered duplicate can be dropped. */
  isPendingAck(id: MessageId): boolean {
    return this.#individual.has(entryKey(id)) || (this.#cumulative !== null && id.compare(this.#cumulative) <= 0 && id.partition === this.#cumulative.partition);
  }

  #entryDone(id: MessageId): 'done' | 'partial' {
    if (id.batchIndex < 0 || id.batchSize <= 1) return 'done';
    const key = entryKey(id);
    let entry = this.#batches.get(key);
    if (!entry) {
      entry = { acked: new Uint8Array(id.batchSize), left: id.batchSize };
      this.#batches.set(key, entry);
    }
    if (id.batchIndex < entry.acked.length && entry.acked[id.batchIndex] === 0) {
      entry.acked[id.batchIndex] = 1;
      entry.left--;
    }
    if (entry.left > 0) return 'partial';
    this.#batches.delete(key);
    return 'done';
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
    if (this.#individual.size > 0) {
      const ids = [...this.#individual.values()];
      this.#individual.clear();
      this.#sink(ids, false);
    }
    if (this.#cumulative) {
      const id = this.#cumulative;
      this.#cumulative = null;
      this.#sink([id.toData()], true);
    }
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

function entryData(id: MessageId): MessageIdData {
  const data: MessageIdData = { ledgerId: toLong(id.ledgerId), entryId: toLong(id.entryId) };
  if (id.partition >= 0) data.partition = id.partition;
  return data;
}

interface PartialEntry {
  /** 1 at each acked index: a typed array instead of a Set of the unacked ones (filled and emptied per message). */
  acked: Uint8Array;
  left: number;
}
