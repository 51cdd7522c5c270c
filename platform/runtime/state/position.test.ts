import { describe, expect, it } from 'vitest';
import { MessageId } from '../../pulsar/index.ts';
import { messageIdOf, positionOf, START } from './position.ts';
import { mergeState, PartitionState } from './partition-state.ts';

describe('changelog positions', () => {
  it('sort as strings exactly as message ids compare, across ledgers, entries and batch indexes', () => {
    const ids = [
      new MessageId(9n, 5n, 0, -1), new MessageId(9n, 5n, 0, 0), new MessageId(9n, 5n, 0, 7), new MessageId(9n, 10n, 0, 0),
      new MessageId(10n, 0n, 0, -1), new MessageId(123456789012n, 3n, 0, 2), new MessageId(2n ** 62n, 1n, 0, 1),
    ];
    const shuffled = [...ids].reverse();
    expect(shuffled.map(positionOf).sort()).toEqual(ids.map(positionOf));
    for (const id of ids) expect(positionOf(id) > START).toBe(true);
    for (const id of ids) expect(messageIdOf(positionOf(id), 3).compare(id)).toBe(0);
  });

  it('are digits only (Redis Lua compares with strcoll) and reject anything else', () => {
    expect(positionOf(new MessageId(1n, 2n, 0, 3))).toMatch(/^\d{50}$/);
    expect(() => messageIdOf('1:2:3', 0)).toThrow(/not a changelog position/);
  });
});

describe('partition state', () => {
  it('never moves a key back to an older position, and tracks the highest position applied', () => {
    const state = new PartitionState();
    const p = (n: bigint) => positionOf(new MessageId(1n, n));
    expect(state.apply('f:a', p(5n), { count: 5 })).toBe(true);
    expect(state.apply('f:a', p(3n), { count: 3 })).toBe(false);
    expect(state.apply('f:a', p(5n), { count: 9 })).toBe(false);
    expect(state.get('f', 'a')).toEqual({ count: 5 });
    expect(state.applied).toBe(p(5n));
    state.seed('f:b', { position: p(9n), value: { count: 1 } });
    expect(state.applied).toBe(p(5n)); // a key from Redis says nothing about other keys
  });

  it('merges state changes with null meaning cleared', () => {
    expect(mergeState({ a: 1, b: 2 }, { b: null, c: 3 })).toEqual({ a: 1, c: 3 });
    expect(mergeState(undefined, { a: 1 })).toEqual({ a: 1 });
  });
});
