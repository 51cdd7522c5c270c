import { describe, expect, it } from 'vitest';
import { javaStringHash, keyHashRouter, roundRobinRouter } from './router.ts';

describe('routing', () => {
  it('hashes like Java String.hashCode masked to 31 bits', () => {
    expect(javaStringHash('')).toBe(0);
    expect(javaStringHash('a')).toBe(97);
    expect(javaStringHash('hello')).toBe(99162322);
    // "polygenelubricants".hashCode() == Integer.MIN_VALUE → masked to 0
    expect(javaStringHash('polygenelubricants')).toBe(0);
  });

  it('routes keys stably and spreads keyless messages', () => {
    const router = keyHashRouter(roundRobinRouter(0, 0));
    expect(router({ value: 'x', key: 'hello' }, 7)).toBe(99162322 % 7);
    expect([0, 1, 2, 3].map(() => router({ value: 'x' }, 3))).toEqual([0, 1, 2, 0]);
  });
});
