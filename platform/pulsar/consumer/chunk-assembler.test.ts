// Reassembly of chunked messages under hostile input: whole messages from in-order chunks
// (duplicates tolerated), and every bad set — missing, out of order, wrong sizes, inconsistent
// counts, over the limits, expired — becomes exactly one failure whose id covers each chunk
// received, while the bytes held stay within maxPendingChunkedBytes.
import { describe, expect, it } from 'vitest';
import { ChunkMessageId, MessageId } from '../message/index.ts';
import type { MessageMetadata } from '../protocol/index.ts';
import { ChunkAssembler, type ChunkOutcome } from './chunk-assembler.ts';

const id = (entry: number) => new MessageId(1n, BigInt(entry));
const meta = (uuid: string, chunkId: number, numChunks: number, total: number): MessageMetadata => ({
  producerName: 'p', sequenceId: 0, publishTime: 0, uuid, chunkId, numChunksFromMsg: numChunks, totalChunkMsgSize: total,
});
const entries = (o: ChunkOutcome) => (o.kind === 'held' ? [] : (o.id as ChunkMessageId).chunkIds.map((c) => Number(c.entryId)));

/** Feed chunks [uuid, chunkId, numChunks, total, bytes] as entries 0, 1, 2…; collect what comes out. */
function feed(assembler: ChunkAssembler, chunks: [string, number, number, number, number][]): ChunkOutcome[] {
  const out: ChunkOutcome[] = [];
  chunks.forEach(([uuid, chunkId, n, total, bytes], entry) => {
    const { outcome, evicted } = assembler.add(id(entry), meta(uuid, chunkId, n, total), Buffer.alloc(bytes, entry), 0);
    out.push(...evicted);
    if (outcome.kind !== 'held') out.push(outcome);
  });
  return out;
}

describe('ChunkAssembler', () => {
  it('joins chunks in order into one payload whose id spans first and last chunk, interleaved with another message', () => {
    const a = new ChunkAssembler();
    const out = feed(a, [['a', 0, 3, 7, 3], ['b', 0, 2, 4, 2], ['a', 1, 3, 7, 3], ['b', 1, 2, 4, 2], ['a', 2, 3, 7, 1]]);
    expect(out.map((o) => o.kind)).toEqual(['complete', 'complete']);
    const [b, x] = out as Extract<ChunkOutcome, { kind: 'complete' }>[];
    expect([...b!.payload]).toEqual([1, 1, 3, 3]);
    expect([...x!.payload]).toEqual([0, 0, 0, 2, 2, 2, 4]);
    expect(x!.id.firstChunkId.entryId).toBe(0n);
    expect(x!.id.entryId).toBe(4n);
    expect(entries(x!)).toEqual([0, 2, 4]);
    expect(a.heldBytes).toBe(0);
  });

  it('keeps a redelivered chunk\'s id (so the ack covers it) but not its bytes', () => {
    const out = feed(new ChunkAssembler(), [['a', 0, 2, 4, 2], ['a', 0, 2, 4, 2], ['a', 1, 2, 4, 2]]);
    expect(out).toHaveLength(1);
    expect(out[0]!.kind).toBe('complete');
    expect(entries(out[0]!)).toEqual([0, 1, 2]);
  });

  const bad: [string, [string, number, number, number, number][], RegExp][] = [
    ['a missing chunk', [['a', 0, 3, 6, 2], ['a', 2, 3, 6, 2]], /chunk 2 of message a after chunk 0/],
    ['chunks out of order', [['a', 1, 3, 6, 2], ['a', 0, 3, 6, 2], ['a', 2, 3, 6, 2]], /without its earlier chunks/],
    ['chunks larger than the total', [['a', 0, 2, 4, 3], ['a', 1, 2, 4, 3]], /exceed its total of 4/],
    ['chunks smaller than the total', [['a', 0, 2, 9, 2], ['a', 1, 2, 9, 2]], /add up to 4 bytes, not 9/],
    ['a changed chunk count', [['a', 0, 3, 6, 2], ['a', 1, 2, 6, 2]], /says 2 chunks/],
    ['a total over maxPendingChunkedBytes', [['a', 0, 2, 1000, 2], ['a', 1, 2, 1000, 2]], /over maxPendingChunkedBytes/],
  ];
  for (const [what, chunks, message] of bad) {
    it(`turns ${what} into one failure covering every chunk`, () => {
      const a = new ChunkAssembler({ maxPendingChunkedBytes: 100 });
      const out = feed(a, chunks);
      expect(out.map((o) => o.kind)).toEqual(['failed']);
      const failure = out[0] as Extract<ChunkOutcome, { kind: 'failed' }>;
      expect(failure.error.code).toBe('ChunkedMessageInvalid');
      expect(failure.error.message).toMatch(message);
      expect(entries(failure)).toEqual(chunks.map((_, i) => i));
      expect(a.pendingMessages).toBe(0);
      expect(a.heldBytes).toBe(0);
    });
  }

  it('fails malformed chunk metadata alone, and leaves a good message around it whole', () => {
    const out = feed(new ChunkAssembler(), [['a', 0, 2, 4, 2], ['', 0, 2, 4, 2], ['x', 5, 2, 4, 2], ['a', 1, 2, 4, 2]]);
    expect(out.map((o) => o.kind)).toEqual(['failed', 'failed', 'complete']);
    expect(out.map(entries)).toEqual([[1], [2], [0, 3]]);
  });

  it('gives up the oldest incomplete message past maxPendingChunkedMessage, or acks it with autoAckOldestChunkedMessageOnQueueFull', () => {
    const chunks: [string, number, number, number, number][] = [['a', 0, 2, 4, 2], ['b', 0, 2, 4, 2], ['c', 0, 2, 4, 2], ['c', 1, 2, 4, 2]];
    const out = feed(new ChunkAssembler({ maxPendingChunkedMessages: 2 }), chunks);
    expect(out.map((o) => o.kind)).toEqual(['failed', 'complete']);
    expect(out.map(entries)).toEqual([[0], [2, 3]]);
    expect((out[0] as Extract<ChunkOutcome, { kind: 'failed' }>).error.message).toMatch(/given up/);

    const auto = new ChunkAssembler({ maxPendingChunkedMessages: 2, autoAckOldestChunkedMessageOnQueueFull: true });
    feed(auto, chunks.slice(0, 2));
    const third = auto.add(id(2), meta('c', 0, 2, 4), Buffer.alloc(2), 0);
    expect(third.evicted).toEqual([]);
    expect(third.ack.map((m) => m.entryId)).toEqual([0n]);
  });

  it('never holds more than maxPendingChunkedBytes: the oldest goes to make room', () => {
    const a = new ChunkAssembler({ maxPendingChunkedBytes: 10 });
    const out = feed(a, [['a', 0, 2, 6, 3], ['b', 0, 2, 6, 3]]);
    expect(a.heldBytes).toBe(6);
    expect(out.map(entries)).toEqual([[0]]);
  });

  it('expires incomplete messages after expireTimeOfIncompleteChunkedMessageMs', () => {
    let now = 0;
    const a = new ChunkAssembler({ expireTimeOfIncompleteChunkedMessageMs: 1000 }, () => now);
    feed(a, [['a', 0, 2, 4, 2]]);
    now = 500;
    feed(a, [['b', 0, 2, 4, 2]]);
    now = 1200;
    const expired = a.expire();
    expect(expired.map(entries)).toEqual([[0]]);
    expect((expired[0] as Extract<ChunkOutcome, { kind: 'failed' }>).error.message).toMatch(/incomplete after 1000 ms \(1 of 2 chunks\)/);
    expect(a.pendingMessages).toBe(1);
    expect(a.heldBytes).toBe(4);
  });

  it('stops collecting ids of a uuid whose chunks never end', () => {
    const a = new ChunkAssembler();
    const out: ChunkOutcome[] = [];
    for (let i = 0; i < 100 && out.length === 0; i++) {
      const { outcome } = a.add(id(i), meta('loop', i === 0 ? 0 : 0, 2, 4), Buffer.alloc(2), 0);
      if (outcome.kind !== 'held') out.push(outcome);
    }
    expect(out).toHaveLength(1);
    expect(entries(out[0]!).length).toBeLessThanOrEqual(2 * 2 + 17);
    expect(a.pendingMessages).toBe(0);
  });
});
