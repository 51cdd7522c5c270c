// CRC-32C (Castagnoli): the checksum after magic 0x0e01 in payload frames (PROTOCOL.md §1.2).
// Every produced and consumed byte is checksummed, and in plain JavaScript that was 40 % of the
// client's CPU per message (profile of infra/bench/client-cost.ts). So `crc32c` uses the SSE4.2 /
// ARMv8 instruction through the optional @node-rs/crc32 package (prebuilt, no compiler needed)
// when it loads, and this portable implementation otherwise, or when
// LODESTAR_PULSAR_CRC32C=portable (for before/after comparisons).
// Portable: reflected polynomial 0x82F63B78, init and final XOR 0xFFFFFFFF, slicing-by-16 tables
// (about 1.5× slicing-by-8 on 100 KiB entries, `npx tsx infra/bench/crc32c-speed.ts`).
import { createRequire } from 'node:module';

const POLY = 0x82f63b78;
const TABLES: Uint32Array[] = [];
{
  const t0 = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t0[n] = c >>> 0;
  }
  TABLES.push(t0);
  for (let t = 1; t < 16; t++) {
    const prev = TABLES[t - 1]!;
    const next = new Uint32Array(256);
    for (let n = 0; n < 256; n++) next[n] = (prev[n]! >>> 8) ^ t0[prev[n]! & 0xff]!;
    TABLES.push(next);
  }
}
const [T0, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15] = TABLES as [
  Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array,
  Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array,
];

/** Portable CRC-32C over `data[start, end)`; pass the previous result as `crc` to chain. */
export function crc32cPortable(data: Uint8Array, crc = 0, start = 0, end = data.length): number {
  // c is kept as an int32 inside the loop (table values XOR to int32s); only the result is unsigned.
  let c = ~crc;
  let i = start;
  for (const stop = end - 16; i <= stop; i += 16) {
    const a = c ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24));
    c =
      T15[a & 0xff]! ^ T14[(a >>> 8) & 0xff]! ^ T13[(a >>> 16) & 0xff]! ^ T12[a >>> 24]! ^
      T11[data[i + 4]!]! ^ T10[data[i + 5]!]! ^ T9[data[i + 6]!]! ^ T8[data[i + 7]!]! ^
      T7[data[i + 8]!]! ^ T6[data[i + 9]!]! ^ T5[data[i + 10]!]! ^ T4[data[i + 11]!]! ^
      T3[data[i + 12]!]! ^ T2[data[i + 13]!]! ^ T1[data[i + 14]!]! ^ T0[data[i + 15]!]!;
  }
  for (; i < end; i++) c = T0[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

type NativeCrc32c = (input: Uint8Array, initialState?: number) => number;

function loadNative(): NativeCrc32c | undefined {
  if (process.env.LODESTAR_PULSAR_CRC32C === 'portable') return undefined;
  try {
    const native = (createRequire(import.meta.url)('@node-rs/crc32') as { crc32c?: NativeCrc32c }).crc32c;
    // Trust it only if it agrees with the check value of the CRC-32C catalogue.
    return native && native(Buffer.from('123456789')) === 0xe3069283 ? native : undefined;
  } catch {
    return undefined;
  }
}

const native = loadNative();

/** Which implementation `crc32c` uses in this process. */
export const crc32cImplementation: 'native' | 'portable' = native ? 'native' : 'portable';

/** Continue a CRC-32C over `data[start, end)`; pass the previous result as `crc` to chain. */
export const crc32c: (data: Uint8Array, crc?: number, start?: number, end?: number) => number = native
  ? (data, crc = 0, start = 0, end = data.length) => native(start === 0 && end === data.length ? data : data.subarray(start, end), crc)
  : crc32cPortable;
