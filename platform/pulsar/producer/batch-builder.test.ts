import { describe, expect, it } from 'vitest';
import { FrameParser, decodeBatch, has, toBigInt } from '../protocol/index.ts';
import { buildFrame, type QueuedMessage } from './batch-builder.ts';

/** One key's batch out of key-based batching: ids interleaved with another key's (1, 2 went elsewhere). */
const batch: QueuedMessage[] = [0n, 3n, 4n].map((sequenceId) => ({ sequenceId, payload: Buffer.from(`v${sequenceId}`), message: { value: '', key: 'a' } }));

function parse(frame: Buffer) {
  const [f] = new FrameParser().push(frame);
  return { send: f!.command.send!, metadata: f!.payload!.metadata!, payload: f!.payload!.payload };
}

describe('SEND frames of a batch', () => {
  it('a default batch spans [lowest, highest] sequence ids', () => {
    const { send, metadata } = parse(buildFrame(batch, { producerId: 1n, producerName: 'p', compression: 0 }, true));
    expect([toBigInt(send.sequenceId), toBigInt(send.highestSequenceId)]).toEqual([0n, 4n]);
    expect([toBigInt(metadata.sequenceId), toBigInt(metadata.highestSequenceId)]).toEqual([0n, 4n]);
  });

  it('a key-based batch goes out with its highest id alone, each message keeping its own', () => {
    const { send, metadata, payload } = parse(buildFrame(batch, { producerId: 1n, producerName: 'p', compression: 0, keyBased: true }, true));
    expect(toBigInt(send.sequenceId)).toBe(4n);
    expect(toBigInt(metadata.sequenceId)).toBe(4n);
    expect(has(send, 'highestSequenceId')).toBe(false);
    expect(has(metadata, 'highestSequenceId')).toBe(false);
    expect(metadata.partitionKey).toBe('a');
    expect(decodeBatch(payload, 3).map((e) => toBigInt(e.metadata.sequenceId))).toEqual([0n, 3n, 4n]);
  });
});
