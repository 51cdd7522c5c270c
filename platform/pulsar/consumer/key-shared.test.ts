import { describe, expect, it } from 'vitest';
import { keySharedMeta } from './key-shared.ts';

describe('Key_Shared policy', () => {
  it('defaults to AUTO_SPLIT and encodes STICKY ranges and out-of-order delivery', () => {
    expect(keySharedMeta()).toEqual({ keySharedMode: 0 });
    expect(keySharedMeta({ mode: 'STICKY', hashRanges: [{ start: 0, end: 99 }, { start: 200, end: 65_535 }], allowOutOfOrderDelivery: true }))
      .toEqual({ keySharedMode: 1, hashRanges: [{ start: 0, end: 99 }, { start: 200, end: 65_535 }], allowOutOfOrderDelivery: true });
  });

  it('refuses what the broker would refuse, with the reason', () => {
    const cases: [Parameters<typeof keySharedMeta>[0], RegExp][] = [
      [{ mode: 'STICKY' }, /needs at least one hash range/],
      [{ hashRanges: [{ start: 0, end: 1 }] }, /for STICKY mode/],
      [{ mode: 'STICKY', hashRanges: [{ start: 5, end: 4 }] }, /start <= end/],
      [{ mode: 'STICKY', hashRanges: [{ start: 0, end: 65_536 }] }, /within 0\.\.65535/],
      [{ mode: 'STICKY', hashRanges: [{ start: 10, end: 20 }, { start: 0, end: 10 }] }, /overlap/],
      [{ mode: 'ROUND' as 'STICKY' }, /unknown mode/],
    ];
    for (const [policy, why] of cases) {
      expect(() => keySharedMeta(policy)).toThrow(why);
      expect(() => keySharedMeta(policy)).toThrow(expect.objectContaining({ code: 'InvalidConfiguration' }));
    }
  });
});
