import { describe, expect, it } from 'vitest';
import type { OutgoingMessage } from '../message/index.ts';
import type { QueuedMessage } from './batch-builder.ts';
import { BatchContainer } from './batch-container.ts';

let seq = 0n;
function queued(message: Omit<OutgoingMessage, 'value'>, bytes = 10): QueuedMessage {
  return { sequenceId: seq++, payload: new Uint8Array(bytes), message: { value: '', ...message } };
}

const keysOf = (b: { messages: QueuedMessage[] }) => b.messages.map((q) => q.message.orderingKey ?? q.message.key ?? '-');

describe('BatchContainer', () => {
  it('key-based: one batch per ordering key, else key; out in order of their highest sequence id', () => {
    seq = 0n;
    const c = new BatchContainer<number>({ maxMessages: 100, maxBytes: 10_000 }, true);
    const order = [{ key: 'a' }, { key: 'b' }, { key: 'a' }, {}, { key: 'b', orderingKey: 'o' }, { key: 'b' }, { key: 'a' }];
    order.forEach((m, i) => expect(c.add(queued(m), i, undefined)).toBe(false));
    expect(c.count).toBe(7);
    const { batches } = c.drain();
    // highest ids: '-' 3, 'o' 4, b 5, a 6
    expect(batches.map(keysOf)).toEqual([['-'], ['o'], ['b', 'b'], ['a', 'a', 'a']]);
    expect(batches.map((b) => b.callbacks)).toEqual([[3], [4], [1, 5], [0, 2, 6]]);
    expect(c.count).toBe(0);
  });

  it('default: one batch in arrival order', () => {
    const c = new BatchContainer<number>({ maxMessages: 100, maxBytes: 10_000 }, false);
    [{ key: 'a' }, { key: 'b' }, { key: 'a' }].forEach((m, i) => c.add(queued(m), i, undefined));
    expect(c.drain().batches.map(keysOf)).toEqual([['a', 'b', 'a']]);
  });

  it('limits count every open batch together; a new transaction or too many bytes needs a flush first', () => {
    const c = new BatchContainer<number>({ maxMessages: 3, maxBytes: 100 }, true);
    expect(c.add(queued({ key: 'a' }), 0, undefined)).toBe(false);
    expect(c.add(queued({ key: 'b' }), 1, undefined)).toBe(false);
    expect(c.add(queued({ key: 'c' }), 2, undefined)).toBe(true); // 3 messages over three keys
    c.drain();
    expect(c.add(queued({ key: 'a' }, 60), 0, undefined)).toBe(false);
    expect(c.needsFlushBefore(50, undefined)).toBe(true);
    expect(c.needsFlushBefore(40, undefined)).toBe(false);
    const txn = {} as never;
    expect(c.needsFlushBefore(1, txn)).toBe(true);
  });
});
