// Pulsar's LZ4 codec is the raw LZ4 *block* format: no frame header, no size prefix; the
// output length is MessageMetadata.uncompressed_size (PROTOCOL.md §4.5, Go compression/lz4.go).
// The decoder is ours so that hostile input is bounds-checked on every read and write;
// compression uses lz4js's block compressor.
import { compressBlock, compressBound } from 'lz4js';

const MIN_MATCH = 4;

export class Lz4Error extends Error {}

export function lz4DecompressBlock(src: Uint8Array, uncompressedSize: number): Uint8Array {
  const dst = new Uint8Array(uncompressedSize);
  let s = 0;
  let d = 0;
  const end = src.length;
  while (s < end) {
    const token = src[s++]!;
    let literals = token >>> 4;
    if (literals === 15) {
      let b: number;
      do {
        if (s >= end) throw new Lz4Error('truncated literal length');
        b = src[s++]!;
        literals += b;
      } while (b === 255);
    }
    if (literals > end - s || literals > uncompressedSize - d) throw new Lz4Error('literals overrun');
    dst.set(src.subarray(s, s + literals), d);
    s += literals;
    d += literals;
    if (s === end) break; // the last sequence has literals only
    if (end - s < 2) throw new Lz4Error('truncated match offset');
    const offset = src[s]! | (src[s + 1]! << 8);
    s += 2;
    if (offset === 0 || offset > d) throw new Lz4Error('match offset out of range');
    let length = token & 15;
    if (length === 15) {
      let b: number;
      do {
        if (s >= end) throw new Lz4Error('truncated match length');
        b = src[s++]!;
        length += b;
      } while (b === 255);
    }
    length += MIN_MATCH;
    if (length > uncompressedSize - d) throw new Lz4Error('match overrun');
    // Overlapping copies (offset < length) repeat bytes, so copy one at a time.
    let m = d - offset;
    for (let i = 0; i < length; i++) dst[d++] = dst[m++]!;
  }
  if (d !== uncompressedSize) throw new Lz4Error(`decompressed ${d} bytes, expected ${uncompressedSize}`);
  return dst;
}

export function lz4CompressBlock(src: Uint8Array): Uint8Array {
  const dst = new Uint8Array(compressBound(src.length));
  let n = src.length === 0 ? 0 : compressBlock(src, dst, 0, src.length, new Uint32Array(1 << 16));
  if (n === 0) n = literalsOnly(src, dst);
  return dst.subarray(0, n);
}

/** lz4js returns 0 when it found no match: emit one literal-only sequence. */
function literalsOnly(src: Uint8Array, dst: Uint8Array): number {
  let d = 0;
  const len = src.length;
  if (len >= 15) {
    dst[d++] = 0xf0;
    let rest = len - 15;
    for (; rest >= 255; rest -= 255) dst[d++] = 255;
    dst[d++] = rest;
  } else {
    dst[d++] = len << 4;
  }
  dst.set(src, d);
  return d + len;
}
