import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { crc32c, crc32cImplementation, crc32cPortable } from './crc32c.ts';

const bytes = (s: string) => new TextEncoder().encode(s);

/** Bit-at-a-time CRC-32C, the definition the table-driven version must match. */
function bitwise(data: Uint8Array, start: number, end: number): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) {
    c ^= data[i]!;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return ~c >>> 0;
}

// Both implementations pass the same vectors and properties; `crc32c` is the native one when
// @node-rs/crc32 loads (it is an optional dependency: a machine without it uses the portable one).
describe.each([
  ['crc32c (' + crc32cImplementation + ')', crc32c],
  ['crc32cPortable', crc32cPortable],
] as const)('%s', (_name, crc32c) => {
  it('matches the standard check value and RFC 3720 vectors', () => {
    expect(crc32c(bytes('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(0))).toBe(0);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i))).toBe(0x113fdb5c);
  });

  it('matches the bit-at-a-time definition at every length and offset around the 16-byte stride', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), fc.nat(), fc.nat(), (data, a, b) => {
        const start = data.length === 0 ? 0 : a % data.length;
        const end = start + (data.length - start === 0 ? 0 : b % (data.length - start + 1));
        expect(crc32c(data, 0, start, end)).toBe(bitwise(data, start, end));
      }),
    );
  });

  it('chains across splits exactly like one pass', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(), (data, at) => {
        const cut = data.length === 0 ? 0 : at % data.length;
        expect(crc32c(data, crc32c(data, 0, 0, cut), cut)).toBe(crc32c(data));
      }),
    );
  });
});
