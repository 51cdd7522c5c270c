import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compress } from 'snappyjs';
import { snappyDecompressBlock, SnappyFormatError } from './snappy.ts';

describe('snappyDecompressBlock', () => {
  it('reads what snappyjs writes, for any input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), (data) => {
        expect(Buffer.from(snappyDecompressBlock(compress(data), data.length))).toEqual(Buffer.from(data));
      }),
      { numRuns: 300 },
    );
    const repetitive = Buffer.from('abcabcabcabcabcabcabcabcabcabcabcabcabc'.repeat(50));
    expect(Buffer.from(snappyDecompressBlock(compress(repetitive), repetitive.length))).toEqual(repetitive);
  });

  it('reads a hand-made block with an overlapping copy', () => {
    // length 6; literal "ab" (tag 0x04); copy-1 length 4 offset 2 (tag 0x01: len-4=0, offset high 0).
    const block = Uint8Array.from([0x06, 0x04, 0x61, 0x62, 0x01, 0x02]);
    expect(Buffer.from(snappyDecompressBlock(block, 6)).toString()).toBe('ababab');
  });

  it('refuses a forged 4-byte literal length instead of looping (the input that hung snappyjs)', () => {
    expect(() => snappyDecompressBlock(Buffer.from('05fcd0f35ab6', 'hex'), 5)).toThrow(SnappyFormatError);
  });

  it('only ever throws SnappyFormatError on random or mutated input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat({ max: 5000 }), (data, size) => {
        try {
          snappyDecompressBlock(data, size);
        } catch (err) {
          expect(err).toBeInstanceOf(SnappyFormatError);
        }
      }),
      { numRuns: 5000 },
    );
  });
});
