// `npx tsx infra/bench/crc32c-speed.ts`: CRC-32C throughput over a 100 KiB entry (the
// size of a fake-broker or 1 KiB × 100 batch): the implementation the client uses (native when
// @node-rs/crc32 loads), the portable slicing-by-16 one, and a one-table byte-at-a-time loop.
// Prints GB/s; a script, never a timed test.
import { crc32c, crc32cImplementation, crc32cPortable } from '../../platform/pulsar/testing.ts';

const T0 = new Uint32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  T0[n] = c >>> 0;
}
function bytewise(data: Uint8Array): number {
  let c = ~0;
  for (let i = 0; i < data.length; i++) c = T0[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

const data = Buffer.allocUnsafe(100 * 1024 + 3);
for (let i = 0; i < data.length; i++) data[i] = (i * 31 + 7) & 0xff;
if (crc32c(data) !== bytewise(data) || crc32cPortable(data) !== bytewise(data)) throw new Error('crc32c disagrees with the byte-at-a-time loop');
const candidates = [
  [`crc32c (${crc32cImplementation})`, (d: Uint8Array) => crc32c(d)],
  ['portable slicing-by-16', (d: Uint8Array) => crc32cPortable(d)],
  ['byte-at-a-time', bytewise],
] as const;
for (const [name, f] of candidates) {
  let sink = 0;
  for (let k = 0; k < 300; k++) sink = (sink + f(data)) >>> 0;
  const rounds = 2000;
  const t0 = process.hrtime.bigint();
  for (let k = 0; k < rounds; k++) sink = (sink + f(data)) >>> 0;
  const ns = Number(process.hrtime.bigint() - t0);
  process.stdout.write(`${name}: ${((data.length * rounds) / ns).toFixed(2)} GB/s (${(ns / rounds / 1000).toFixed(1)} µs per 100 KiB, sum of results ${sink >>> 0})\n`);
}
