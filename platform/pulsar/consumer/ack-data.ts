// What goes in an ACK command's message ids when acks are not one per message: ack sets for
// batch-index acks (PROTOCOL.md §3.6: a bit set = that index is still unacked), the grouping
// of a transactional ack's ids by entry, and the cumulative ack of a message inside a batch.
import type Long from 'long';
import { entryKeyOf, type MessageId } from '../message/message-id.ts';
import { toLong, type MessageIdData, type U64 } from '../protocol/index.ts';

/** The entry an id belongs to (ledger, entry, partition), without batch fields. */
export function entryData(id: MessageId): MessageIdData {
  const data: MessageIdData = { ledgerId: toLong(id.ledgerId), entryId: toLong(id.entryId) };
  if (id.partition >= 0) data.partition = id.partition;
  return data;
}

/** The ack_set words of a batch of `batchSize` messages: bit i set while index i is unacked. */
export function ackSetWords(batchSize: number, stillUnacked: (index: number) => boolean): Long[] {
  const words: Long[] = [];
  for (let w = 0; w * 64 < batchSize; w++) {
    let bits = 0n;
    for (let b = 0; b < 64 && w * 64 + b < batchSize; b++) if (stillUnacked(w * 64 + b)) bits |= 1n << BigInt(b);
    words.push(toLong(bits, false));
  }
  return words;
}

/**
 * Bit i of an ack set: bit (i mod 64) of word floor(i/64), LSB first; set = still unacked (§3.6).
 * An index past the words the broker sent counts as acked, as Java's BitSet.valueOf reads it.
 */
export function isStillUnacked(ackSet: readonly U64[], i: number): boolean {
  const word = ackSet[i >> 6];
  if (word === undefined) return false;
  if (typeof word === 'number') return ((BigInt(word) >> BigInt(i & 63)) & 1n) === 1n;
  const bit = i & 63;
  return (((bit < 32 ? word.low : word.high) >>> (bit & 31)) & 1) === 1;
}

/**
 * A cumulative ack up to `id`. Inside a batch it names the entry with an ack set that keeps the
 * later indexes (0..i cleared, i+1..n-1 set), as Java does with batch-index acks and for every
 * transactional cumulative ack: the broker then marks the previous entry deleted and, when it
 * tracks batch indexes, records 0..i of this one (ManagedCursorImpl.ackBatchPosition); a broker
 * that does not track them redelivers the whole entry, which loses nothing. Without the ack set
 * the broker would acknowledge the whole entry, later indexes included. The last index of a
 * batch acks the entry whole.
 */
export function cumulativeAckData(id: MessageId): MessageIdData {
  const data = entryData(id);
  if (id.batchIndex >= 0 && id.batchIndex < id.batchSize - 1) {
    data.ackSet = ackSetWords(id.batchSize, (index) => index > id.batchIndex);
    data.batchSize = id.batchSize;
  }
  return data;
}

/**
 * One MessageIdData per entry. Messages of one batch entry share it: the ack set keeps a bit for
 * every index not acked here (§3.6), and an entry whose every index is acked goes without one.
 */
export function transactionalAckData(ids: readonly MessageId[]): MessageIdData[] {
  const byEntry = new Map<string, { id: MessageId; indexes: Set<number> }>();
  const out: MessageIdData[] = [];
  for (const id of ids) {
    if (id.batchIndex < 0 || id.batchSize <= 1) {
      out.push(id.toData());
      continue;
    }
    const key = entryKeyOf(id);
    const group = byEntry.get(key);
    if (group) group.indexes.add(id.batchIndex);
    else byEntry.set(key, { id, indexes: new Set([id.batchIndex]) });
  }
  for (const { id, indexes } of byEntry.values()) {
    const data = id.toData();
    delete data.batchIndex;
    if (indexes.size < id.batchSize) {
      data.ackSet = ackSetWords(id.batchSize, (index) => !indexes.has(index));
    } else {
      delete data.batchSize;
    }
    out.push(data);
  }
  return out;
}
