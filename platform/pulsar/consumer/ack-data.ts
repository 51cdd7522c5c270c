// What goes in an ACK command's message ids when acks are not one per message: ack sets for
// batch-index acks (PROTOCOL.md §3.6: a bit set = that index is still unacked) and the grouping
// of a transactional ack's ids by entry.
import type Long from 'long';
import { entryKeyOf, type MessageId } from '../message/message-id.ts';
import { toLong, type MessageIdData } from '../protocol/index.ts';

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
