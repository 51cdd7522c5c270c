import { describe, expect, it } from 'vitest';
import { MessageId } from '../message/index.ts';
import { toBigInt } from '../protocol/index.ts';
import { ackSetWords, transactionalAckData } from './ack-data.ts';

const words = (ws: { toString(radix: number): string }[]) => ws.map((w) => w.toString(2));

describe('ackSetWords', () => {
  it('sets the bit of every still-unacked index, 64 per word', () => {
    expect(words(ackSetWords(3, (i) => i !== 1))).toEqual(['101']);
    const w = ackSetWords(70, (i) => i === 0 || i === 65);
    expect(w).toHaveLength(2);
    expect(words(w)).toEqual(['1', '10']);
  });
});

describe('transactionalAckData', () => {
  it('keeps a non-batch id as it is and merges the indexes of one batch entry into one ack set', () => {
    const data = transactionalAckData([
      new MessageId(5n, 1n, 2),
      new MessageId(5n, 2n, 2, 0, 4),
      new MessageId(5n, 2n, 2, 2, 4),
    ]);
    expect(data).toHaveLength(2);
    expect(toBigInt(data[0]!.entryId)).toBe(1n);
    expect(data[0]!.ackSet).toBeUndefined();
    expect(toBigInt(data[1]!.entryId)).toBe(2n);
    expect(data[1]!.batchIndex).toBeUndefined();
    expect(data[1]!.batchSize).toBe(4);
    // Indexes 1 and 3 are still unacked.
    expect(words(data[1]!.ackSet!)).toEqual(['1010']);
  });

  it('acks a batch entry whole, without an ack set, when every index is in the call', () => {
    const ids = [0, 1, 2].map((i) => new MessageId(5n, 3n, -1, i, 3));
    const [data] = transactionalAckData(ids);
    expect(toBigInt(data!.entryId)).toBe(3n);
    expect(data!.ackSet).toBeUndefined();
    expect(data!.batchSize).toBeUndefined();
    expect(data!.batchIndex).toBeUndefined();
  });
});
